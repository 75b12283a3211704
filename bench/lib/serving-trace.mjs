// Per design of serve-auto, the concurrency search's probes: concurrency, whether it held, its excess,
// and which step lists it costed (d: decode-only, m: decoders and logits, t: tokens).
//   node bench/lib/serving-trace.mjs [--designs N]
import { loadProblem } from './problems.mjs';
import { argValue, lib, sampleIndices } from './common.mjs';
const { genomeAt } = await lib('search/algorithms.js');
const { chipForGenome } = await lib('search/design-template.js');
const { ChipContext } = await lib('eval/context.js');
const { phaseModelOf } = await lib('eval/batch.js');
const { evaluateServingAuto } = await lib('eval/serving-search.js');
const { IterationCoster } = await lib('eval/serving-iteration.js');
const { space, problem } = await loadProblem('serve-auto');
const w = problem.workloads[0];
let cur = '';
const run = IterationCoster.prototype.run;
IterationCoster.prototype.run = function (slot, name, list, placement, detail, a, b = 0, c = 0) {
  const k = this.kept[slot];
  const hit = !detail && k && k.owner === this.id && ((k.a0 === a && k.b0 === b && k.c0 === c) || (k.a1 === a && k.b1 === b && k.c1 === c));
  if (!hit) cur += 'tdmDD'[slot];
  return run.call(this, slot, name, list, placement, detail, a, b, c);
};
const hist = {};
let n = 0;
for (const i of sampleIndices(space.size, Number(argValue('designs', 4096)))) {
  let chip;
  try { chip = chipForGenome(space, genomeAt(space, i), 'x'); } catch { continue; }
  const cx = new ChipContext(chip);
  const model = phaseModelOf(w);
  const cycle = model.cycles(cx, w);
  const seq = [];
  const wrapped = (...a) => cycle(...a);
  wrapped.latencies = (c, p) => { cur = ''; const r = cycle.latencies(c, p); seq.push(`${c}:${cur}`); return r; };
  const e = evaluateServingAuto(cx, w, model, wrapped, false);
  if (n < 30) console.log(i, e.serving.concurrency, e.serving.memoryLimit, seq.join(' '));
  const shape = seq.map((s) => s.split(':')[1] || '-').join(' ');
  hist[shape] = (hist[shape] ?? 0) + 1;
  n++;
}
for (const [k, v] of Object.entries(hist).sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(v, k);
