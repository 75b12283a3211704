// Step costs a serve-auto design's concurrency search pays, by step list and by part of the search
// (probes, the final evaluation), over the throughput benchmark's 4,096 designs: IterationCoster's
// runs that miss its kept costs, counted with the steps of each list.
//   node bench/lib/serving-steps.mjs [--space S --workload W]   (another space and workload: all its designs)
import { loadProblem, loadProblemOf } from './problems.mjs';
import { argValue, lib, sampleIndices } from './common.mjs';

/** Whether a coster has a request's prefill attention kept (IterationCoster.prefillKept; its prefillAttention fields in builds before e33's 63e1078). */
const prefillKept = (coster, key) => (coster.prefillKept ? coster.prefillKept(key) : (key === 'target' ? coster.prefillAttention : coster.drafterPrefillAttention) !== undefined);
const { genomeAt } = await lib('search/algorithms.js');
const { chipForGenome } = await lib('search/design-template.js');
const { ChipContext } = await lib('eval/context.js');
const { phaseModelOf } = await lib('eval/batch.js');
const { evaluateServingAuto } = await lib('eval/serving-search.js');
const { IterationCoster } = await lib('eval/serving-iteration.js');
const named = argValue('workload', undefined);
const { space, problem } = named ? await loadProblemOf(argValue('space', 'inference-chip'), [named]) : await loadProblem('serve-auto');
const w = problem.workloads[0];
let part = 'probe';
const count = {};
const add = (k, n) => (count[k] = (count[k] ?? 0) + n);
const run = IterationCoster.prototype.run;
IterationCoster.prototype.run = function (slot, name, list, placement, detail, a, b = 0, c = 0) {
  const k = this.kept[slot];
  const hit = !detail && k && (k.owner === undefined || k.owner === this.id) && ((k.a0 === a && k.b0 === b && k.c0 === c) || (k.a1 === a && k.b1 === b && k.c1 === c));
  if (!hit) add(`${part} ${name} steps`, list.at(a, b, c).length), add(`${part} ${name} runs`, 1);
  return run.call(this, slot, name, list, placement, detail, a, b, c);
};
const once = IterationCoster.prototype.once;
IterationCoster.prototype.once = function (name, steps, placement, detail, key) {
  if (detail || !prefillKept(this, key)) add(`${part} ${name} steps`, steps.length);
  return once.call(this, name, steps, placement, detail, key);
};
let designs = 0;
let probes = 0;
for (const i of sampleIndices(space.size, named ? space.size : 4096)) {
  let chip;
  try { chip = chipForGenome(space, genomeAt(space, i), 'x'); } catch { continue; }
  const cx = new ChipContext(chip);
  const model = phaseModelOf(w);
  const cycle = model.cycles(cx, w);
  const wrapped = (...a) => ((part = 'final'), cycle(...a));
  wrapped.latencies = (...a) => ((part = 'probe'), probes++, cycle.latencies(...a));
  evaluateServingAuto(cx, w, model, wrapped, false);
  part = 'probe';
  designs++;
}
let total = 0;
for (const [k, v] of Object.entries(count).sort()) {
  console.log(k.padEnd(50), (v / designs).toFixed(3));
  if (k.endsWith('steps')) total += v;
}
console.log('designs', designs, 'probes per design', (probes / designs).toFixed(3), 'step costs per design', (total / designs).toFixed(2));
