// How good a concurrency search's steering has to be (issue 17a, e28): runs serve-auto's 4,096 designs
// on a patched copy of this build's dist/ (made in a temporary folder; src/ is not changed) and
// counts step costs as bench/lib/serving-steps.mjs does, with the first guess's probe (the second
// probe of a design) counted apart as "steer".
//   node bench/lib/serving-steering.mjs --eps E     the first guess steers only (it no longer moves the
//     bracket) and its TPOT is scaled by a deterministic pseudo-random factor in 1 +- E: what an
//     estimate of that TPOT within +-E would cost (its decode-only steps would then be free)
//   node bench/lib/serving-steering.mjs --model K   the second guess from a model instead of the
//     intercept-share line: the exact plans, the mixed iteration linear in its decoders through the
//     bound's probe and the first guess, the decode-only iteration's time at the first guess plus K
//     times that slope per decoder; prints where the model's answer lands against the search's
//   (no flag: the unpatched search, as serving-steps.mjs)
import { cpSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST, ROOT, argValue } from './common.mjs';

/** Whether a coster has a request's prefill attention kept (IterationCoster.prefillKept; its prefillAttention fields in builds before e33's 63e1078). */
const prefillKept = (coster, key) => (coster.prefillKept ? coster.prefillKept(key) : (key === 'target' ? coster.prefillAttention : coster.drafterPrefillAttention) !== undefined);

const eps = Number(argValue('eps', NaN));
const k = Number(argValue('model', NaN));
const dir = mkdtempSync(join(tmpdir(), 'steering-'));
for (const e of readdirSync(ROOT)) if (e !== 'dist') symlinkSync(join(ROOT, e), join(dir, e));
cpSync(DIST, join(dir, 'dist'), { recursive: true });
const patch = (file, pairs) => {
  const p = join(dir, 'dist', file);
  let s = readFileSync(p, 'utf8');
  for (const [a, b] of pairs) {
    if (!s.includes(a)) throw new Error(`${file}: no ${a.slice(0, 60)}`);
    s = s.replace(a, b);
  }
  writeFileSync(p, s);
};
patch('eval/serving.js', [
  ['import { budgetProblem, closedLoopPlan,', 'import { closedLoopTimes } from "./serving-schedule.js";\nimport { budgetProblem, closedLoopPlan,'],
  ['function cycleLatencies(', `globalThis.__model = (w, c, mixTime, decTime) => {
    const plan = planOf(w, scheduleInput(w, c));
    const h = w.serving.iterationOverheadSec;
    const mixSec = plan.mixedPerCycle > 0 ? Math.max(mixTime, w.serving.eagerLayerSec * w.model.layers) + h : 0;
    const decSec = plan.decodeOnlyPerCycle > 0 ? decTime + h : 0;
    return { plan, times: closedLoopTimes(plan, mixSec, decSec, w.serving.requestsPerClient) };
};
function cycleLatencies(`],
  ["    return { ttftSec: w.phase === 'decode'", "    globalThis.__last = { mixTime, decTime, dMix: plan.mixed.decoders, xDec: plan.decodeOnly.decoders };\n    return { ttftSec: w.phase === 'decode'"],
]);
patch('eval/serving-search.js', [
  ['const e = (i === 0 ? r.tpotSec :', 'const e = (i === 0 ? r.tpotSec * globalThis.__scale :'],
  ['    const top = at(bound.max);\n', '    const top = at(bound.max);\n    const L0 = globalThis.__last;\n'],
  ['        const r = expectMiss', `        const steer = first && globalThis.__eps === globalThis.__eps;
        if (steer) globalThis.__scale = 1 + globalThis.__eps * (2 * ((c * 0.6180339887 + lo * 0.4142) % 1) - 1);
        const r = expectMiss`],
  ['        if (r.ok)\n            lo = c;', '        globalThis.__scale = 1;\n        if (steer) { }\n        else if (r.ok)\n            lo = c;'],
  ['        const x = first && r.excess > -1', '        let x = first && r.excess > -1'],
  ['        first = false;', `        const L1 = globalThis.__last;
        if (first) globalThis.__first = { c: c / p, L1 };
        if (first && globalThis.__k === globalThis.__k && L0 && L0.mixTime !== undefined && L1.decTime !== undefined) {
            const slope = L0.dMix !== L1.dMix ? (L0.mixTime - L1.mixTime) / (L0.dMix - L1.dMix) : 0;
            const meets = (cc) => {
                const m = globalThis.__model(w, cc / p, 0, 0);
                const { times } = globalThis.__model(w, cc / p, L1.mixTime + slope * (m.plan.mixed.decoders - L1.dMix), L1.decTime + globalThis.__k * slope * (m.plan.decodeOnly.decoders - L1.xDec));
                const slo = w.slo;
                return !(times.tpotSec > slo.tpotSec) && !(slo.ttftSec !== undefined && times.ttftSec > slo.ttftSec) && !(slo.ttftP90Sec !== undefined && times.ttftP90Sec > slo.ttftP90Sec);
            };
            let a = lo, b = hi;
            while (b - a > 1) { const m = Math.floor((a + b) / 2); if (meets(m)) a = m; else b = m; }
            globalThis.__pred = a;
            x = Math.max(a, lo) + 0.5;
        }
        first = false;`],
]);
globalThis.__eps = eps;
globalThis.__k = k;
globalThis.__scale = 1;
process.env.CHIPDSE_DIST = join(dir, 'dist');
const { lib, sampleIndices } = await import('./common.mjs?patched');
const { loadProblemOf } = await import('./problems.mjs?patched');
const { genomeAt } = await lib('search/algorithms.js');
const { chipForGenome } = await lib('search/design-template.js');
const { ChipContext } = await lib('eval/context.js');
const { phaseModelOf } = await lib('eval/batch.js');
const { evaluateServingAuto } = await lib('eval/serving-search.js');
const { IterationCoster } = await lib('eval/serving-iteration.js');
const { space, workloads } = await loadProblemOf('inference-chip', ['llama-3-70b-serve']);
const w = workloads[0];
let part = 'probe';
const count = {};
const add = (key, n) => (count[key] = (count[key] ?? 0) + n);
const run = IterationCoster.prototype.run;
IterationCoster.prototype.run = function (slot, name, list, placement, detail, a, b = 0, c = 0) {
  const kept = this.kept[slot];
  const hit = !detail && kept && kept.owner === this.id && ((kept.a0 === a && kept.b0 === b && kept.c0 === c) || (kept.a1 === a && kept.b1 === b && kept.c1 === c));
  if (!hit) add(`${part} ${name} steps`, list.at(a, b, c).length);
  return run.call(this, slot, name, list, placement, detail, a, b, c);
};
const once = IterationCoster.prototype.once;
IterationCoster.prototype.once = function (name, steps, placement, detail, key) {
  if (detail || !prefillKept(this, key)) add(`${part} ${name} steps`, steps.length);
  return once.call(this, name, steps, placement, detail, key);
};
let designs = 0;
const landed = {};
const elasticity = [];
for (const i of sampleIndices(space.size, 4096)) {
  let chip;
  try { chip = chipForGenome(space, genomeAt(space, i), 'x'); } catch { continue; }
  const cx = new ChipContext(chip);
  const model = phaseModelOf(w);
  const cycle = model.cycles(cx, w);
  const wrapped = (...a) => ((part = 'final'), cycle(...a));
  let nth = 0;
  wrapped.latencies = (...a) => ((part = ++nth === 2 ? 'steer' : 'probe'), cycle.latencies(...a));
  globalThis.__pred = undefined;
  globalThis.__first = undefined;
  const e = evaluateServingAuto(cx, w, model, wrapped, false);
  const f = globalThis.__first;
  if (f && f.L1.decTime !== undefined && f.L1.mixTime !== undefined) {
    // The first guess's TPOT elasticity in its decode-only iteration's time (1% more time: x% more TPOT).
    const t0 = globalThis.__model(w, f.c, f.L1.mixTime, f.L1.decTime).times.tpotSec;
    const t1 = globalThis.__model(w, f.c, f.L1.mixTime, f.L1.decTime * 1.01).times.tpotSec;
    elasticity.push((t1 / t0 - 1) / 0.01);
  }
  if (globalThis.__pred !== undefined) {
    const d = Math.max(-3, Math.min(3, globalThis.__pred - e.serving.concurrency));
    landed[d] = (landed[d] ?? 0) + 1;
  }
  part = 'probe';
  designs++;
}
let total = 0;
let steer = 0;
for (const [key, v] of Object.entries(count)) {
  total += v;
  if (key.startsWith('steer iteration (decode)')) steer += v;
}
console.log(`designs ${designs} step costs per design ${(total / designs).toFixed(2)}; without the first guess's decode-only steps ${((total - steer) / designs).toFixed(2)}`);
elasticity.sort((a, b) => a - b);
const q = (x) => elasticity[Math.floor(x * (elasticity.length - 1))].toFixed(3);
console.log(`first guess: TPOT's elasticity in the decode-only iteration's time over ${elasticity.length} designs: 10/50/90th percentile ${q(0.1)} / ${q(0.5)} / ${q(0.9)}`);
if (Object.keys(landed).length) console.log('model answer - search answer (clamped to +-3):', JSON.stringify(landed));
