// What a large space costs (issue 15, item 11): the start-up of a 20-evaluation search on a space
// file whose parameters have many values (wall time and peak RSS, --workers 1 and 4), and the heap
// an exhaustive search keeps per design evaluated (the slope of the heap after a full collection).
//   npm run build && node bench/resources.mjs [--values 200000] [--designs 40000]
//   CHIPDSE_DIST=/other/checkout/dist node bench/resources.mjs     (another build, for a before/after)
// Measured on a shared machine: times vary with its load; the memory figures much less.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { linearRegression } from 'simple-statistics';
import { argValue, BENCH, DIST, ROOT } from './lib/common.mjs';

const values = Number(argValue('values', 200000));
const designs = Number(argValue('designs', 40000));
const dir = mkdtempSync(join(tmpdir(), 'chipdse-resources-'));
const out = { dist: DIST, values, designs, startup: [], exhaustive: undefined };
try {
  // Two parameters of `values` values each (a million-value int range is the most a space takes).
  const space = JSON.parse(readFileSync(join(ROOT, 'designs/spaces/small.json'), 'utf8'));
  space.base = join(ROOT, 'designs/tpu-v6e.json');
  space.parameters[0] = { name: 'mxus', type: 'int', path: 'compute.matrixUnits[0].count', min: 1, max: values };
  space.parameters[3] = { name: 'clockGHz', type: 'values', path: 'compute.clockHz', unit: 'GHz', values: Array.from({ length: values }, (_, i) => Number((1 + i * 1e-6).toFixed(7))) };
  const file = join(dir, 'large-space.json');
  writeFileSync(file, JSON.stringify(space));
  for (const workers of [1, 4]) {
    const rss = join(dir, `rss-${workers}`);
    const t0 = performance.now();
    execFileSync(process.execPath, [join(BENCH, 'lib/rss-run.mjs'), join(DIST, 'cli.js'), 'search', '--space', file, '--budget', '20', '--population', '20', '--workers', String(workers), '--db', join(dir, `s${workers}.db`), '--run', 'r', '--reference-chips', 'none'], { env: { ...process.env, RSS_OUT: rss }, stdio: 'pipe' });
    out.startup.push({ workers, seconds: (performance.now() - t0) / 1000, peakRssMB: Number(readFileSync(rss, 'utf8')) / 1024 });
  }
  const heap = JSON.parse(execFileSync(process.execPath, ['--expose-gc', join(BENCH, 'lib/heap-exhaustive.mjs'), DIST, join(BENCH, 'spaces/scale-1e5.json'), String(designs)], { encoding: 'utf8', maxBuffer: 1 << 26 }));
  const { m } = linearRegression(heap);
  out.exhaustive = { points: heap.length, bytesPerDesign: m, heapGrowthMB: (heap.at(-1)[1] - heap[0][1]) / 1e6 };
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`build ${out.dist}`);
console.log(`space file with 2 parameters of ${values} values: 20-evaluation search`);
for (const s of out.startup) console.log(`  --workers ${s.workers}: ${s.seconds.toFixed(1)} s, peak RSS ${s.peakRssMB.toFixed(0)} MB`);
console.log(`exhaustive search, ${designs} designs of bench/spaces/scale-1e5.json: heap ${(out.exhaustive.bytesPerDesign / 1024).toFixed(3)} KB per design (slope), grew ${out.exhaustive.heapGrowthMB.toFixed(1)} MB`);
