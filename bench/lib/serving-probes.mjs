// How many cycles the serving concurrency search ("auto") costs per design, over the throughput
// benchmark's 4,096 designs of the serve-auto problem: the search of src/eval/serving-search.ts run
// with a cycle function that counts its calls (the chosen concurrency's final evaluation included).
//   node bench/lib/serving-probes.mjs [--space S --workload W]   (another space and workload: all its designs)
import { loadProblem, loadProblemOf } from './problems.mjs';
import { argValue, lib, sampleIndices } from './common.mjs';
const { genomeAt } = await lib('search/algorithms.js');
const { chipForGenome } = await lib('search/design-template.js');
const { ChipContext } = await lib('eval/context.js');
const { phaseModelOf } = await lib('eval/batch.js');
const { evaluateServingAuto } = await lib('eval/serving-search.js');
const named = argValue('workload', undefined);
const { space, problem } = named ? await loadProblemOf(argValue('space', 'inference-chip'), [named]) : await loadProblem('serve-auto');
const w = problem.workloads[0];
let cycles = 0, designs = 0;
const limits = {};
for (const i of sampleIndices(space.size, named ? space.size : 4096)) {
  let chip;
  try { chip = chipForGenome(space, genomeAt(space, i), 'x'); } catch { continue; }
  const cx = new ChipContext(chip);
  const model = phaseModelOf(w);
  const cycle = model.cycles(cx, w);
  const e = evaluateServingAuto(cx, w, model, (...a) => (cycles++, cycle(...a)), false);
  limits[e.serving.limitedBy] = (limits[e.serving.limitedBy] ?? 0) + 1;
  designs++;
}
console.log('designs', designs, 'cycles per design', (cycles / designs).toFixed(2), 'limited by', JSON.stringify(limits));
