// How often a closing probe (C + 1 after C held) could be decided without costing its decode-only
// iteration, before the search did it (e25): TPOT at C + 1 with the decode-only time held at C's (a
// monotone lower bound) or less a share of it, and the mixed iteration costed at C + 1.
//   node bench/lib/serving-closing.mjs
import { loadProblem } from './problems.mjs';
import { lib, sampleIndices } from './common.mjs';
const { genomeAt } = await lib('search/algorithms.js');
const { chipForGenome } = await lib('search/design-template.js');
const { ChipContext } = await lib('eval/context.js');
const { phaseModelOf } = await lib('eval/batch.js');
const { evaluateServingAuto } = await lib('eval/serving-search.js');
const { IterationCoster } = await lib('eval/serving-iteration.js');
const { planOf, scheduleInput } = await lib('eval/serving.js');
const { closedLoopTimes } = await lib('eval/serving-schedule.js');
const { placementFor, servingFootprint, servingLimits } = await lib('eval/memory.js');
const { space, problem } = await loadProblem('serve-auto');
const w = problem.workloads[0];
const h = w.serving.iterationOverheadSec;
const floor = w.serving.eagerLayerSec * w.model.layers;
const lat = (plan, mixTime, decTime) => {
  const mixSec = mixTime !== undefined ? Math.max(mixTime, floor) + h : 0;
  const decSec = decTime !== undefined ? decTime + h : 0;
  return closedLoopTimes(plan, mixSec, decSec, w.serving.requestsPerClient);
};
const deltas = [0, 1e-3, 3e-3, 1e-2, 3e-2, 0.1]; const byDelta = deltas.map(() => 0);
let designs = 0, closing = 0, byMono = 0, bySecant = 0, waitDec = 0, decShare = [], nonMono = 0;
const seqs = {};
for (const i of sampleIndices(space.size, 4096)) {
  let chip;
  try { chip = chipForGenome(space, genomeAt(space, i), 'x'); } catch { continue; }
  const cx = new ChipContext(chip);
  const model = phaseModelOf(w);
  const cycle = model.cycles(cx, w);
  const probes = [];
  const wrapped = (...a) => cycle(...a);
  wrapped.latencies = (c, p) => (probes.push(c), cycle.latencies(c, p));
  const e = evaluateServingAuto(cx, w, model, wrapped, false);
  designs++;
  const C = e.serving?.concurrency ?? e.metrics.batch;
  const n = probes.length;
  if (n < 2 || probes[n - 1] !== C + 1 || !probes.includes(C)) continue;
  closing++;
  const { parts } = servingLimits(cx, w);
  const pl = placementFor(w, servingFootprint(chip, parts, C + 1));
  const coster = new IterationCoster(cx, w, pl);
  const planC = planOf(w, scheduleInput(w, C));
  const plan1 = planOf(w, scheduleInput(w, C + 1));
  const decC = coster.timeOf(planC.decodeOnly);
  const decCm = coster.timeOf(planOf(w, scheduleInput(w, C - 1)).decodeOnly);
  const mix1 = plan1.mixedPerCycle > 0 ? coster.timeOf(plan1.mixed) : undefined;
  const dec1 = coster.timeOf(plan1.decodeOnly);
  if (dec1 < decC) nonMono++;
  if (plan1.arrivalWaitDecode > 0) waitDec++;
  const exact = lat(plan1, mix1, dec1);
  const mono = lat(plan1, mix1, decC);
  const sec = lat(plan1, mix1, decC + (decC - decCm) * (plan1.decodeOnly.decoders - planC.decodeOnly.decoders) / (planC.decodeOnly.decoders - planOf(w, scheduleInput(w, C - 1)).decodeOnly.decoders));
  const slo = w.slo.tpotSec;
  if (mono.tpotSec > slo * (1 + 1e-9)) byMono++;
  deltas.forEach((d, j) => { if (lat(plan1, mix1, decC * (1 - d)).tpotSec > slo) byDelta[j]++; });
  if (sec.tpotSec > slo * (1 + 1e-9)) bySecant++;
  const tC = lat(planC, coster.timeOf(planC.mixed), decC).tpotSec;
  decShare.push((mono.tpotSec - tC) / (exact.tpotSec - tC));
}
decShare.sort((a, b) => a - b);
console.log(deltas.map((d, j) => `${d}: ${byDelta[j]}`).join(', '));
console.log({ designs, closing, byMono, bySecant, nonMono, waitDec, share: [decShare[Math.floor(decShare.length * 0.1)], decShare[Math.floor(decShare.length / 2)], decShare[Math.floor(decShare.length * 0.9)]] });
