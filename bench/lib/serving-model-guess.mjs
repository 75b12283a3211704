// An experiment kept for its figures (bench/NOTES.md, "Serving auto, continued"): would the
// concurrency search ("auto") need fewer probes if each guess after the first came from the
// schedule model solved exactly, with the two iteration times (mixed, decode-only) interpolated
// between the last two probes, instead of a secant on the worst SLO excess? Runs src/eval's
// search as it is (its first two probes, the bound and the first guess, are kept), then the
// model-guided search from those two, on the throughput benchmark's 4,096 serve-auto designs,
// and prints probes per design for both and the designs where the answers differ (must be 0).
// --decode-slope: for the second guess, where the bound's probe has no decode-only iteration (its
// regime is prefill-bound), the decode-only time is extrapolated from the first guess's with the
// slope per decoder of the decoders-and-logits list (decode attention and logits) between the two
// probes, instead of held constant; prints how far that guess lands from the answer.
//   node bench/lib/serving-model-guess.mjs [--interpolation linear|loglog] [--decode-slope]
import { loadProblem } from './problems.mjs';
import { argValue, lib, sampleIndices } from './common.mjs';

const { genomeAt } = await lib('search/algorithms.js');
const { chipForGenome } = await lib('search/design-template.js');
const { ChipContext } = await lib('eval/context.js');
const { phaseModelOf } = await lib('eval/batch.js');
const { evaluateServingAuto, concurrencyBound } = await lib('eval/serving-search.js');
const { scheduleInput, planOf } = await lib('eval/serving.js');
const { closedLoopTimes } = await lib('eval/serving-schedule.js');
const { IterationCoster } = await lib('eval/serving-iteration.js');
const { placementFor, queriesPerDecode, servingFootprint, servingLimits } = await lib('eval/memory.js');
const loglog = argValue('interpolation', 'linear') === 'loglog';
const decodeSlope = process.argv.includes('--decode-slope');
const { runPhase } = await lib('eval/phase.js');
const { space, problem } = await loadProblem('serve-auto');
const w = problem.workloads[0];

/** The worst SLO excess at `batch` (`running` admitted) with iteration times from `timeOf`: cycleLatencies's arithmetic. */
function excessOf(timeOf, batch, running) {
  const plan = planOf(w, scheduleInput(w, running));
  const mixTime = plan.mixedPerCycle > 0 ? timeOf(plan.mixed, 'mix') : undefined;
  const decTime = plan.decodeOnlyPerCycle > 0 ? timeOf(plan.decodeOnly, 'dec') : undefined;
  const floor = w.serving.eagerLayerSec * w.model.layers;
  const h = w.serving.iterationOverheadSec;
  const t = closedLoopTimes(plan, mixTime !== undefined ? Math.max(mixTime, floor) + h : 0, decTime !== undefined ? decTime + h : 0, w.serving.requestsPerClient);
  const queue = running < batch ? ((batch - running) * t.cycleSec) / running : 0;
  let e = -1;
  if (w.slo.tpotSec !== undefined) e = Math.max(e, t.tpotSec / w.slo.tpotSec - 1);
  if (w.slo.ttftSec !== undefined) e = Math.max(e, (t.ttftSec + queue) / w.slo.ttftSec - 1);
  if (w.slo.ttftP90Sec !== undefined) e = Math.max(e, (t.ttftP90Sec + queue) / w.slo.ttftP90Sec - 1);
  return e;
}

/** The second guess's distance from the answer, by count of designs. */
const offsets = new Map();
let designs = 0, today = 0, guided = 0, differ = 0;
for (const i of sampleIndices(space.size, 4096)) {
  let chip;
  try {
    chip = chipForGenome(space, genomeAt(space, i), 'x');
  } catch {
    continue;
  }
  designs++;
  const cx = new ChipContext(chip);
  const model = phaseModelOf(w);
  const cycle = model.cycles(cx, w);
  const trace = [];
  const counted = (...a) => cycle(...a);
  counted.latencies = (c, p) => (trace.push(c), cycle.latencies(c, p));
  const C = evaluateServingAuto(cx, w, model, counted, false).serving.concurrency;
  today += trace.length;
  if (trace.length < 3) {
    guided += trace.length;
    continue;
  }
  const { parts, limit } = servingLimits(cx, w);
  const admitted = Math.max(w.parallelism.pipeline, limit);
  const costers = new Map();
  const probes = [];
  const probe = (c) => {
    const pl = placementFor(w, servingFootprint(chip, parts, c));
    const key = `${pl.weightsInSram},${pl.expertsInDramFraction},${pl.denseInDramFraction}`;
    if (!costers.has(key)) costers.set(key, new IterationCoster(cx, w, pl));
    const pts = {};
    const coster = costers.get(key);
    const e = excessOf((it, k) => {
      // The mixed iteration's decoders-and-logits list alone (the coster's lists and placement are private members, read here for the experiment).
      if (k === 'mix') pts.dl = [it.decoders, runPhase(cx, 'dl', it.decoders, coster.lists.decodersAndLogits.at(it.decoders, queriesPerDecode(w) * it.decoders + it.completions / w.parallelism.context), coster.placement, false).timeSec];
      return (pts[k] = [it.decoders, coster.timeOf(it)])[1];
    }, c, Math.min(c, admitted));
    probes.push({ pts });
    return e;
  };
  const bound = concurrencyBound(cx, w).max;
  probe(bound);
  let lo = w.parallelism.pipeline - 1;
  let hi = bound;
  let c = trace[1];
  while (hi - lo > 1) {
    c = Math.min(hi - 1, Math.max(lo + 1, c));
    if (probe(c) <= 0) lo = c;
    else hi = c;
    if (hi - lo <= 1) break;
    const [a, b] = probes.slice(-2);
    const interpolated = (it, k) => {
      const pa = a.pts[k], pb = b.pts[k];
      if (decodeSlope && k === 'dec' && !pa && pb && a.pts.dl[0] !== b.pts.dl[0]) return pb[1] + ((b.pts.dl[1] - a.pts.dl[1]) * (it.decoders - pb[0])) / (b.pts.dl[0] - a.pts.dl[0]);
      if (!pa || !pb || pa[0] === pb[0]) return (pb ?? pa)[1];
      if (loglog && pa[0] > 0 && pb[0] > 0 && it.decoders > 0) return pa[1] * (it.decoders / pa[0]) ** (Math.log(pb[1] / pa[1]) / Math.log(pb[0] / pa[0]));
      return pa[1] + ((pb[1] - pa[1]) * (it.decoders - pa[0])) / (pb[0] - pa[0]);
    };
    // The model's answer inside the bracket, by bisection on the model (no step costed).
    let mlo = lo, mhi = hi;
    while (mhi - mlo > 1) {
      const m = Math.floor((mlo + mhi) / 2);
      if (excessOf(interpolated, m, Math.min(m, admitted)) <= 0) mlo = m;
      else mhi = m;
    }
    c = mlo > lo ? mlo : mlo + 1;
    if (probes.length === 2) offsets.set(c - C, (offsets.get(c - C) ?? 0) + 1);
  }
  guided += probes.length;
  if (lo !== C && !(lo < w.parallelism.pipeline && C === w.parallelism.pipeline)) differ++;
}
console.log(`designs ${designs}: probes per design, the search today ${(today / designs).toFixed(2)}, model-guided (${loglog ? 'log-log' : 'linear'} iteration times) ${(guided / designs).toFixed(2)}; answers that differ ${differ}`);
const top = [...offsets].sort((x, y) => y[1] - x[1]).slice(0, 8);
console.log(`second guess minus the answer (designs): ${top.map(([d, n]) => `${d > 0 ? '+' : ''}${d}: ${n}`).join(', ')}`);
