// Bytes allocated per serve-auto evaluation, by the function that allocated them: V8's sampling
// heap profiler with the objects minor GCs collect, over a run of evaluations (after a warm-up).
//   node bench/lib/heap-serving.mjs [--problem serve-auto] [--designs 20000] [--top 25]
import { Session } from 'node:inspector/promises';
import { argValue, lib, sampleIndices } from './common.mjs';
import { loadProblem } from './problems.mjs';

const problem = argValue('problem', 'serve-auto');
const designs = Number(argValue('designs', '20000'));
const top = Number(argValue('top', '25'));
const { space, workloads } = await loadProblem(problem);
const { genomeAt } = await lib('search/algorithms.js');
const { chipForGenome } = await lib('search/design-template.js');
const { evaluate } = await lib('eval/evaluate.js');
const idx = sampleIndices(space.size, designs);
const run = () => {
  let n = 0;
  for (const i of idx) {
    let chip;
    try {
      chip = chipForGenome(space, genomeAt(space, i), 'heap');
    } catch {
      continue;
    }
    for (const w of workloads) evaluate(chip, w, { detail: false });
    n++;
  }
  return n;
};
run();
const session = new Session();
session.connect();
await session.post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMinorGC: true, includeObjectsCollectedByMajorGC: true });
const n = run();
const { profile } = await session.post('HeapProfiler.stopSampling');
const by = new Map();
let total = 0;
const walk = (node) => {
  const f = node.callFrame;
  const key = `${f.functionName || '(anon)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`;
  by.set(key, (by.get(key) ?? 0) + node.selfSize);
  total += node.selfSize;
  for (const c of node.children) walk(c);
};
walk(profile.head);
console.log(`${n} evaluations, ${(total / n).toFixed(0)} B allocated per evaluation (sampled)`);
for (const [k, v] of [...by].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${(v / n).toFixed(0).padStart(7)} B  ${k}`);
