// How much of a serve-auto evaluation the concurrency search is, and the most any probe strategy
// could save: on the throughput benchmark's 4,096 serve-auto designs, CPU per design of
//   whole    evaluateGenome (genome to design, chip, search, metrics, objectives),
//   design   chipForGenome alone (the design template and the chip build),
//   search   evaluateServingAuto on a fresh context (the search and its final evaluation),
//   oracle   the same answer found by a search told it in advance: the probes at C + 1 and C
//            only (the fewest an exact search can end with: one bad, one good), then C's final
//            evaluation,
// taken in turns (each a pass over all designs) so that the machine's load falls on all four
// alike; prints the medians over the turns, and the rate per CPU-second evaluateGenome would
// reach with the oracle's search (whole - search + oracle). Checks first that the oracle's
// evaluation is the search's (JSON-equal) for every design.
//   node bench/lib/serving-ceiling.mjs [--turns 7]
import { argValue, lib, sampleIndices } from './common.mjs';
import { loadProblem } from './problems.mjs';

const { genomeAt } = await lib('search/algorithms.js');
const { chipForGenome } = await lib('search/design-template.js');
const { ChipContext } = await lib('eval/context.js');
const { phaseModelOf, evaluateBatch } = await lib('eval/batch.js');
const { evaluateGenome } = await lib('search/problem.js');
const { placementFor, servingFootprint, servingLimits } = await lib('eval/memory.js');
const { evaluateServingAuto, concurrencyBound, withReport } = await lib('eval/serving-search.js');
const { space, problem } = await loadProblem('serve-auto');
const w = problem.workloads[0];
const turns = Number(argValue('turns', '7'));

const search = (chip) => {
  const cx = new ChipContext(chip);
  const model = phaseModelOf(w);
  return evaluateServingAuto(cx, w, model, model.cycles(cx, w), false);
};
/** The search's answer C found by probing C + 1 (when under the bound) and C only; designs where C is not the SLO's boundary are left out. */
const oracle = (d) => {
  const cx = new ChipContext(d.chip);
  const model = phaseModelOf(w);
  const cycle = model.cycles(cx, w);
  const { parts } = servingLimits(cx, w);
  const max = concurrencyBound(cx, w).max;
  for (const c of [d.C + 1, d.C]) if (c <= max) cycle.latencies(c, placementFor(w, servingFootprint(d.chip, parts, c)));
  return withReport(evaluateBatch(cx, w, model, cycle, d.C, false), max, d.limitedBy);
};

const designs = [];
for (const i of sampleIndices(space.size, 4096)) {
  const genome = genomeAt(space, i);
  let chip;
  try {
    chip = chipForGenome(space, genome, 'x');
  } catch {
    continue;
  }
  const e = search(chip);
  if (!e.feasible || !e.serving) continue;
  const d = { genome, chip, C: e.serving.concurrency, limitedBy: e.serving.limitedBy };
  if (JSON.stringify(oracle(d)) !== JSON.stringify(e)) throw new Error(`design ${i}: the oracle's evaluation differs from the search's`);
  designs.push(d);
}

const cpuPerDesign = (f) => {
  const c0 = process.cpuUsage();
  for (const d of designs) f(d);
  const u = process.cpuUsage(c0);
  return (u.user + u.system) / designs.length;
};
const parts = {
  whole: (d) => evaluateGenome(problem, d.genome),
  design: (d) => chipForGenome(space, d.genome, 'x'),
  search: (d) => search(d.chip),
  oracle,
};
const times = Object.fromEntries(Object.keys(parts).map((k) => [k, []]));
for (let t = 0; t < turns + 1; t++) {
  for (const [k, f] of Object.entries(parts)) {
    const us = cpuPerDesign(f);
    if (t > 0) times[k].push(us); // the first turn warms up
  }
}
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, med(v)]));
const withOracle = m.whole - m.search + m.oracle;
console.log(`serve-auto, ${designs.length} feasible designs, medians of ${turns} turns (us of CPU per design): whole ${m.whole.toFixed(2)}, design ${m.design.toFixed(2)}, search ${m.search.toFixed(2)}, oracle search ${m.oracle.toFixed(2)}`);
console.log(`per CPU-second: ${Math.round(1e6 / m.whole)} now; ${Math.round(1e6 / withOracle)} with the oracle's search (x${(m.whole / withOracle).toFixed(2)}); outside the search ${(m.whole - m.search).toFixed(2)} us, ${Math.round(1e6 / (m.whole - m.search))} per CPU-second with a free search`);
