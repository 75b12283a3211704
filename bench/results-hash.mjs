// Results fingerprint: every preset design on every preset workload (full detail), a sample of
// every shipped space's designs, and one small stored search per space exported as CSV. Prints a
// SHA-1 per part; a change that is meant to leave results alone must leave every line unchanged.
//   npm run build && node bench/results-hash.mjs [--out FILE]
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const lib = await import(join(root, 'dist/index.js'));
const sha = (s) => createHash('sha1').update(s).digest('hex').slice(0, 16);
const lines = [];

const designs = lib.listDesignPresets();
const workloads = lib.listWorkloadPresets();
for (const w of workloads) {
  const wl = lib.loadWorkload(w);
  const parts = designs.map((d) => JSON.stringify(lib.evaluate(lib.loadDesign(d), wl)));
  lines.push(`eval ${w}: ${sha(parts.join('\n'))}`);
}

const bin = join(root, 'bin/chipdse.js');
const tmp = mkdtempSync(join(tmpdir(), 'chipdse-hash-'));
try {
  for (const s of lib.listSpacePresets()) {
    const db = join(tmp, `${s}.db`);
    execFileSync(process.execPath, [bin, 'search', '--space', s, '--budget', '300', '--seed', '7', '--workers', '1', '--db', db, '--run', 'r'], { stdio: 'pipe' });
    const csv = execFileSync(process.execPath, [bin, 'export', '--run', 'r', '--db', db, '--format', 'csv'], { encoding: 'utf8' });
    lines.push(`search ${s} (nsga2, budget 300, seed 7) export csv: ${sha(csv)}`);
    const front = execFileSync(process.execPath, [bin, 'front', '--run', 'r', '--db', db, '--json'], { encoding: 'utf8' });
    lines.push(`search ${s} front json: ${sha(front)}`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
const out = lines.join('\n') + '\n';
process.stdout.write(out);
const i = process.argv.indexOf('--out');
if (i > 0) writeFileSync(process.argv[i + 1], out);
