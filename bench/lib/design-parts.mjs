// CPU per design of the parts of an evaluation outside the workload's own model, on a problem's
// designs in turns (each a pass over all designs, so the machine's load falls on every part alike):
//   key      genomeKey
//   params   genomeParams
//   chip     chipForGenome (the design template, cross-field rules and the chip build)
//   whole    evaluateGenome
//   model    evaluate(chip, workload) on chips made beforehand (the workload's own model)
//   chipModel chipForGenome, then evaluate on its chip
// and "outside" = whole - model: what a design costs outside the workload's model.
// --order: bench (the throughput benchmark's: indices i x 7919 mod the space's size), random
// (a seeded shuffle of the same designs) or walk (each design one parameter away from the last,
// as a search's mutation makes them).
//   node bench/lib/design-parts.mjs [--problem serve-auto] [--order bench|random|walk] [--turns 7]
import { argValue, lib, sampleIndices } from './common.mjs';
import { loadProblem } from './problems.mjs';
import { orderedGenomes } from './design-order.mjs';

const { genomeAt } = await lib('search/algorithms.js');
const { chipForGenome } = await lib('search/design-template.js');
const { genomeParams } = await lib('search/space.js');
const { evaluateGenome } = await lib('search/problem.js');
const { evaluate } = await lib('eval/evaluate.js');
const { genomeKey } = await lib('results/point.js');
const { space, problem } = await loadProblem(argValue('problem', 'serve-auto'));
const turns = Number(argValue('turns', '7'));
const order = argValue('order', 'bench');

const genomes = orderedGenomes(space, sampleIndices(space.size, 4096).map((i) => genomeAt(space, i)), order);

const valid = [];
for (const g of genomes) {
  try {
    const chip = chipForGenome(space, g, 'x');
    valid.push({ g, chip });
  } catch {
    // an invalid design: left out of the model parts
  }
}
const cpuPerDesign = (list, f) => {
  const c0 = process.cpuUsage();
  for (const x of list) f(x);
  const u = process.cpuUsage(c0);
  return (u.user + u.system) / list.length;
};
const parts = {
  key: () => cpuPerDesign(genomes, (g) => genomeKey(g)),
  params: () => cpuPerDesign(genomes, (g) => genomeParams(space, g)),
  chip: () => cpuPerDesign(genomes, (g) => {
    try {
      chipForGenome(space, g, 'x');
    } catch {
      // invalid: as evaluateGenome, which catches it
    }
  }),
  whole: () => cpuPerDesign(genomes, (g) => evaluateGenome(problem, g)),
  model: () => cpuPerDesign(valid, (v) => { for (const w of problem.workloads) evaluate(v.chip, w, { detail: false }); }),
  chipModel: () => cpuPerDesign(valid, (v) => { const c = chipForGenome(space, v.g, 'x'); for (const w of problem.workloads) evaluate(c, w, { detail: false }); }),
};
const times = Object.fromEntries(Object.keys(parts).map((k) => [k, []]));
for (let t = 0; t < turns + 1; t++) {
  for (const [k, f] of Object.entries(parts)) {
    const us = f();
    if (t > 0) times[k].push(us); // the first turn warms up
  }
}
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, med(v)]));
console.log(`${argValue('problem', 'serve-auto')}, order ${order}, ${genomes.length} designs (${valid.length} valid), medians of ${turns} turns, us of CPU per design: ${Object.entries(m).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ')}; outside the model ${(m.whole - m.model).toFixed(3)}`);
