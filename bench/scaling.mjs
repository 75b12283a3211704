// Scaling: time and peak memory of an exhaustive run as the space grows from 10^3 to 10^6 designs,
// two ways: `runSearch` with the exhaustive algorithm (every evaluation stored in SQLite, what
// `chipdse search --algorithm exhaustive` does) and the streaming sweep (src/search/sweep.ts: only
// the running front is kept), the latter also as the `chipdse sweep` command (process start-up
// included). Each run is its own process, so its peak RSS is its own.
//
//   node bench/scaling.mjs [--quick]
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { QUICK, ROOT, log, summary, writeResult } from './lib/common.mjs';
import { SCALE_DIR, SCALE_WORKLOAD, writeScaleSpaces } from './lib/scale-spaces.mjs';

const CORES = availableParallelism();
writeScaleSpaces();

function runOnce(exponent, method, workers) {
  const space = join(SCALE_DIR, `scale-1e${exponent}.json`);
  const out = execFileSync(process.execPath, [join(ROOT, 'bench/lib/scale-run.mjs'), '--space', space, '--method', method, '--workers', String(workers)], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out.trim().split('\n').pop());
}

/** The plan: (exponent, method, workers, repetitions). */
const plan = QUICK
  ? [
      ...[3, 4, 5].map((e) => ({ exponent: e, method: 'sweep', workers: CORES, reps: 1 })),
      { exponent: 5, method: 'sweep-cli', workers: CORES, reps: 1 },
      ...[3, 4].map((e) => ({ exponent: e, method: 'search', workers: CORES, reps: 1 })),
    ]
  : [
      ...[3, 4, 5, 6].map((e) => ({ exponent: e, method: 'sweep', workers: CORES, reps: 3 })),
      { exponent: 6, method: 'sweep', workers: 1, reps: 1 },
      ...[5, 6].map((e) => ({ exponent: e, method: 'sweep-cli', workers: CORES, reps: 3 })),
      ...[3, 4, 5, 6].map((e) => ({ exponent: e, method: 'search', workers: CORES, reps: e === 6 ? 1 : 2 })),
    ];

/** A summary, or none where a figure was not measured (the main heap of a CLI process, RSS without /usr/bin/time). */
const nullable = (xs) => (xs.some((x) => x === null || x === undefined) ? { n: xs.length, median: null } : summary(xs));

const rows = [];
for (const p of plan) {
  const runs = [];
  for (let r = 0; r < p.reps; r++) {
    log(`scaling: 1e${p.exponent} ${p.method} workers=${p.workers} (${r + 1}/${p.reps})`);
    runs.push(runOnce(p.exponent, p.method, p.workers));
  }
  const last = runs[runs.length - 1];
  const sameFront = runs.every((x) => x.frontKeysHash === last.frontKeysHash);
  rows.push({
    size: last.size,
    method: p.method,
    workers: p.workers,
    seconds: summary(runs.map((x) => x.seconds)),
    evaluationsPerSec: summary(runs.map((x) => x.evaluationsPerSec)),
    peakRssMB: nullable(runs.map((x) => x.peakRssMB)),
    peakMainHeapMB: nullable(runs.map((x) => x.peakMainHeapMB)),
    frontSize: last.frontSize,
    hypervolume: last.hypervolume,
    frontKeysHash: last.frontKeysHash,
    sameFrontEveryRun: sameFront,
    dbMB: last.dbMB,
  });
}

// Both methods must find the same front.
const agree = rows.every((r) => rows.filter((q) => q.size === r.size).every((q) => q.frontKeysHash === r.frontKeysHash));
const million = rows.find((r) => r.size === 1e6 && r.method === 'sweep-cli' && r.workers === CORES) ?? rows.find((r) => r.size === 1e6 && r.method === 'sweep' && r.workers === CORES);
const file = writeResult('scaling', {
  workload: SCALE_WORKLOAD,
  spaces: relative(ROOT, SCALE_DIR),
  cores: CORES,
  target: { size: 1e6, seconds: 60, note: 'a million-point space evaluated exhaustively with its front in well under a minute' },
  millionPointSweepSeconds: million?.seconds.median ?? null,
  frontsAgree: agree,
  rows,
});
log(`wrote ${file}`);
