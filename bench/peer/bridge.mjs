// The JSON bridge between a peer optimizer and chipdse's evaluator: one long-running process that
// reads genomes as JSON lines on stdin and writes each design's result as a JSON line on stdout.
//
//   node bench/peer/bridge.mjs --space inference-chip [--workload W ...]
// First line out: {"ready": true, "space", "size", "parameters": [{"name", "size", "categorical"}], "objectives": [...]}
// Then, per line in {"genome": [i, j, ...]}: {"key", "feasible", "violation", "objectives", "evalSec"}
// (objectives in minimization form, exactly what runSearch stores; violation 0 when feasible).
import { createInterface } from 'node:readline';
import { argValue, lib } from '../lib/common.mjs';
import { loadProblemOf } from '../lib/problems.mjs';

const { evaluateGenome } = await lib('search/problem.js');
const spaceRef = argValue('space', 'inference-chip');
const workloadArgs = process.argv.flatMap((a, i) => (process.argv[i - 1] === '--workload' ? [a] : []));
const { loadSpace } = await lib('search/space.js');
const { space, problem } = await loadProblemOf(spaceRef, workloadArgs.length > 0 ? workloadArgs : loadSpace(spaceRef).defaultWorkloads);

const write = (x) => process.stdout.write(JSON.stringify(x) + '\n');
write({
  ready: true,
  space: space.name,
  size: space.size,
  parameters: space.parameters.map((p) => ({ name: p.name, size: p.values.length, categorical: p.categorical })),
  objectives: space.objectives.map((o) => `${o.goal} ${o.metric.label}`),
});

for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const { genome } = JSON.parse(line);
  const t0 = performance.now();
  const r = evaluateGenome(problem, genome);
  write({ key: r.key, feasible: r.feasible, violation: r.violation, objectives: r.objectives, evalSec: (performance.now() - t0) / 1000 });
}
