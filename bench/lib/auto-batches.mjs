// How many batch sizes the "auto" batch search evaluates per design, over the throughput benchmark's
// 4,096 designs of the serve-auto problem (the same loop as evaluateAutoBatch in src/eval/auto-batch.ts:
// batches 1, 2, 4, ... until one does not fit in memory).
//   node bench/lib/auto-batches.mjs
import { loadProblem } from './problems.mjs';
import { lib, sampleIndices } from './common.mjs';
const { genomeAt } = await lib('search/algorithms.js');
const { chipForGenome } = await lib('search/design-template.js');
const { memoryShortfall, servingMemory } = await lib('eval/memory.js');
const { evaluateAtBatch } = await lib('eval/evaluate.js');
const { space, problem } = await loadProblem('serve-auto');
const w = problem.workloads[0];
let total = 0, n = 0;
for (const i of sampleIndices(space.size, 4096)) {
  let chip;
  try { chip = chipForGenome(space, genomeAt(space, i), 'x'); } catch { continue; }
  let first = true, k = 0;
  for (let b = 1; b <= 65536; b *= 2) {
    if (!first && memoryShortfall(chip, servingMemory(chip, w, b))) break;
    k++;
    const e = evaluateAtBatch(chip, w, b, false);
    first = false;
    if (!e.metrics.fits) break;
  }
  total += k; n++;
}
console.log('designs', n, 'mean batch sizes evaluated', (total / n).toFixed(2));

