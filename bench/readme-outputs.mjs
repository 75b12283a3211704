// The README's example outputs, rerun: every line `$ npx chipdse ...` inside a ```text block of
// README.md is run in order, in one scratch folder (so a run a block stores is there for the
// blocks after it), with `chipdse` this checkout's bin/chipdse.js; what is shown is standard
// output, and standard error too for a command that fails (progress lines are left out). The
// files the README shows (a ```jsonc block whose first line is `// NAME`, a ```yaml block whose
// first line is `# NAME: ...`) are written there first, and the one file it only describes in a
// comment (bad6.json) is written as described.
// Each command's output replaces the lines under it, up to the next `$ ` line or the block's end.
// Prose that quotes a figure is not changed: reread it beside the changed outputs printed.
//
//   npm run build && node bench/readme-outputs.mjs [--write] [--readme README.md]
//   (either way it prints each changed output, old lines as `- `, new as `+ `; without --write it
//   leaves README.md alone and exits 1 when anything changed)
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const write = args.includes('--write');
const readmeArg = args.indexOf('--readme');
const readme = join(root, readmeArg >= 0 ? args[readmeArg + 1] : 'README.md');
const text = readFileSync(readme, 'utf8');
const lines = text.split('\n');

/** Files the README describes without showing them whole: written as described. */
const DESCRIBED = {
  'bad6.json': JSON.stringify({ extends: 'h100-sxm', name: 'bad6', memory: { hbm: { stacks: 'six' } } }),
};

const dir = mkdtempSync(join(tmpdir(), 'chipdse-readme-'));
mkdirSync(join(dir, 'results'));
for (const [name, content] of Object.entries(DESCRIBED)) writeFileSync(join(dir, name), content);

// Files shown in full.
let fence;
let body = [];
for (const line of lines) {
  const open = line.match(/^```(\w+)/);
  if (!fence && open) {
    fence = open[1];
    body = [];
  } else if (fence && line === '```') {
    const first = body[0] ?? '';
    const json = fence === 'jsonc' && first.match(/^\/\/ (\S+\.(?:json|yaml))$/);
    const yaml = fence === 'yaml' && first.match(/^# (\S+\.yaml):/);
    if (json) writeFileSync(join(dir, json[1]), body.slice(1).join('\n') + '\n');
    if (yaml) writeFileSync(join(dir, yaml[1]), body.join('\n') + '\n');
    fence = undefined;
  } else if (fence) body.push(line);
}

const bin = join(root, 'bin/chipdse.js');
/** What the command prints: its standard output, and its standard error when it fails (the error line). */
const shell = (command) => {
  const r = spawnSync('bash', ['-c', `set -o pipefail\nchipdse() { node ${JSON.stringify(bin)} "$@"; }\nnpx() { shift; chipdse "$@"; }\n${command}`], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, COLUMNS: '200' },
    maxBuffer: 64 << 20,
  });
  return r.status === 0 ? r.stdout : r.stdout + r.stderr;
};

// Commands, in order, with the lines their output takes.
const out = [];
let inText = false;
let changed = 0;
for (let i = 0; i < lines.length; i++) {
  const line = lines[i];
  if (!inText && line === '```text') inText = true;
  else if (inText && line === '```') inText = false;
  if (inText && line.startsWith('$ npx chipdse ')) {
    let j = i + 1;
    while (j < lines.length && lines[j] !== '```' && !lines[j].startsWith('$ ')) j++;
    const old = lines.slice(i + 1, j);
    const now = shell(line.slice(2)).replace(/\n$/, '').split('\n');
    out.push(line, ...now);
    if (old.join('\n') !== now.join('\n')) {
      changed++;
      process.stdout.write(`\n--- ${line}\n${old.map((l) => `- ${l}`).join('\n')}\n${now.map((l) => `+ ${l}`).join('\n')}\n`);
    }
    i = j - 1;
  } else out.push(line);
}
rmSync(dir, { recursive: true, force: true });
process.stdout.write(`\n${changed} example output${changed === 1 ? '' : 's'} changed\n`);
if (write) writeFileSync(readme, out.join('\n'));
else if (changed > 0) process.exitCode = 1;
