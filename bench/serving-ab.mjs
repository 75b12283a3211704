// The serving model against an older build, side by side on this machine: evaluations per
// CPU-second of evaluateGenome on one core (bench/lib/ab.mjs in each tree), the two builds taking
// turns so that load from other processes falls on both alike.
//   node bench/serving-ab.mjs --baseline DIR [--rounds 3] [--ms 3000]
// DIR is another checkout with its own dist/ (e.g. `git archive main | tar -x -C DIR`, then
// `npx tsc -p tsconfig.build.json` there with node_modules linked).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, argValue, log, summary, writeResult } from './lib/common.mjs';

const baseline = argValue('baseline');
if (!baseline) throw new Error('give --baseline DIR: a checkout of the old code with its dist/ built');
const rounds = Number(argValue('rounds', '3'));
const ms = argValue('ms', '3000');
const problems = ['serve-auto', 'serve-batch256'];

function measure(root) {
  const out = execFileSync(process.execPath, [join(root, 'bench/lib/ab.mjs'), '--problem', problems.join(','), '--ms', ms], { encoding: 'utf8' });
  return Object.fromEntries(out.trim().split('\n').map((l) => {
    const m = /^(\S+): (\d+) \/CPU-s .* sha1 (\w+)/.exec(l);
    if (!m) throw new Error(`unexpected ab.mjs output: ${l}`);
    return [m[1], { rate: Number(m[2]), sha1: m[3] }];
  }));
}

const runs = { baseline: [], current: [] };
for (let r = 0; r < rounds; r++) {
  runs.baseline.push(measure(baseline));
  runs.current.push(measure(ROOT));
  log(`round ${r + 1}/${rounds}`);
}
const rows = problems.map((p) => ({
  problem: p,
  baseline: summary(runs.baseline.map((x) => x[p].rate)),
  current: summary(runs.current.map((x) => x[p].rate)),
  baselineSha1: runs.baseline[0][p].sha1,
  currentSha1: runs.current[0][p].sha1,
}));
const file = writeResult('serving-ab', { baselineDir: baseline, rounds, ms: Number(ms), rows });
log(`wrote ${file}`);
for (const r of rows) log(`${r.problem}: baseline ${r.baseline.median} /CPU-s, current ${r.current.median} /CPU-s (x${(r.current.median / r.baseline.median).toFixed(2)})`);
