// One exhaustive run of a generated space, in its own process so that its peak memory is its own.
//   node bench/lib/scale-run.mjs --space FILE --method sweep|sweep-cli|search --workers N
// sweep-cli runs `chipdse sweep` as its own process (start-up included; its peak RSS from
// /usr/bin/time where that exists).
// Prints one JSON object: seconds, evaluations, front, peak RSS and heap.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, argValue, lib } from './common.mjs';
import { loadProblemOf } from './problems.mjs';
import { SCALE_WORKLOAD } from './scale-spaces.mjs';

const spaceFile = argValue('space');
const method = argValue('method', 'sweep');
const workers = Number(argValue('workers', '2'));
const { hypervolume } = await lib('pareto/index.js');

let peakHeap = 0;
const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 50);
const { space, data } = await loadProblemOf(spaceFile, [SCALE_WORKLOAD]);
const ref = space.reference.map((r, i) => (space.objectives[i].goal === 'max' ? -r : r));
const t0 = performance.now();
let out;
let childRssMB;
if (method === 'sweep-cli') {
  const args = [join(ROOT, 'bin/chipdse.js'), 'sweep', '--space', spaceFile, '--workers', String(workers), '--workload', SCALE_WORKLOAD, '--json'];
  const timed = existsSync('/usr/bin/time');
  const r = timed ? spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 }) : spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`chipdse sweep failed: ${r.stderr}`);
  if (timed) childRssMB = Math.round(Number(r.stderr.trim().split('\n').pop()) / 1024);
  const doc = JSON.parse(r.stdout);
  out = { evaluations: doc.evaluated, feasible: doc.feasible, frontSize: doc.front.length, hypervolume: doc.hypervolume, frontKeys: doc.front.map((p) => p.genome).sort() };
} else if (method === 'sweep') {
  const { sweepSpace } = await lib('search/sweep.js');
  const r = await sweepSpace(data, { workers });
  out = { evaluations: r.evaluated, feasible: r.feasible, frontSize: r.front.length, hypervolume: hypervolume(r.front.map((p) => p.objectives), ref), frontKeys: r.front.map((p) => p.key).sort() };
} else {
  const { runSearch } = await lib('search/run.js');
  const dir = mkdtempSync(join(tmpdir(), 'chipdse-scale-'));
  try {
    const db = join(dir, 'scale.db');
    const s = await runSearch({ space: spaceFile, workloads: [], algorithm: 'exhaustive', budget: space.size, population: 2048, seed: 1, workers, db, run: 'scale', resume: false, allowLong: true });
    const { openStore } = await lib('store/open.js');
    const store = await openStore(db);
    const keys = (await store.loadFront((await store.getRun('scale')).id)).map((p) => p.key).sort();
    await store.close();
    let dbBytes = statSync(db).size;
    try {
      dbBytes += statSync(`${db}-wal`).size;
    } catch {
      // no write-ahead log left
    }
    out = { evaluations: s.evaluations, frontSize: s.frontSize, hypervolume: s.hypervolume, frontKeys: keys, dbMB: Number((dbBytes / 1e6).toFixed(1)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const seconds = (performance.now() - t0) / 1000;
clearInterval(sampler);
peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
const frontKeys = out.frontKeys;
delete out.frontKeys;
process.stdout.write(
  JSON.stringify({
    space: space.name,
    size: space.size,
    method,
    workers,
    seconds: Number(seconds.toFixed(3)),
    evaluationsPerSec: Math.round(out.evaluations / seconds),
    ...out,
    frontKeysHash: frontKeys.join(' ').length + ':' + frontKeys.slice(0, 3).join(' '),
    peakRssMB: method === 'sweep-cli' ? (childRssMB ?? null) : Math.round(process.resourceUsage().maxRSS / 1024),
    peakMainHeapMB: method === 'sweep-cli' ? null : Math.round(peakHeap / 2 ** 20),
  }) + '\n',
);
