// The step loop alone, against its arithmetic floor: every step list a serve-auto evaluation costs
// (IterationCoster's calls that miss its kept costs, and a request's prefill attention), recorded
// per design with its context, placement and parameters, then costed again through the same
// IterationCoster methods (their kept costs cleared before each call), in turns of 40 ms with the
// floor loop (bench/lib/floor.mjs) over the same designs' recorded steps. Prints ns per step cost
// of each and their ratio (medians over the turns). With --baseline DIR, another build's loop is
// taken in the same turns, and the ratio of the two.
//   node bench/lib/step-loop.mjs [--baseline DIR] [--designs 512] [--seconds 10]
import { join } from 'node:path';
import { ROOT, argValue, sampleIndices } from './common.mjs';
import { PROBLEMS } from './problems.mjs';
import { floorDesign, recordSteps } from './floor.mjs';

/** Whether a coster has a request's prefill attention kept (IterationCoster.prefillKept; its prefillAttention fields in builds before e33's 63e1078). */
const prefillKept = (coster, key) => (coster.prefillKept ? coster.prefillKept(key) : (key === 'target' ? coster.prefillAttention : coster.drafterPrefillAttention) !== undefined);

const baseline = argValue('baseline');
const designs = Number(argValue('designs', '512'));
const seconds = Number(argValue('seconds', '10'));
const spec = PROBLEMS['serve-auto'];

async function load(root) {
  const im = (p) => import(join(root, 'dist', p));
  const { loadSpace } = await im('search/space.js');
  const { loadWorkload } = await im('workload/load.js');
  const { genomeAt } = await im('search/algorithms.js');
  const { chipForGenome } = await im('search/design-template.js');
  const { evaluate } = await im('eval/evaluate.js');
  const { IterationCoster } = await im('eval/serving-iteration.js');
  process.chdir(root);
  const space = loadSpace(spec.space);
  const w = loadWorkload(spec.workloads[0]);
  const events = [];
  const run = IterationCoster.prototype.run;
  const once = IterationCoster.prototype.once;
  let recording = true;
  IterationCoster.prototype.run = function (slot, name, list, p, detail, a, b = 0, c = 0) {
    const k = this.kept[slot];
    const hit = k !== undefined && (k.owner === undefined || k.owner === this.id) && ((k.a0 === a && k.b0 === b && k.c0 === c) || (k.a1 === a && k.b1 === b && k.c1 === c));
    if (recording && !detail && !hit) events.push({ once: false, cx: this.cx, slot, name, list, p, a, b, c, steps: list.at(a, b, c).length });
    return run.call(this, slot, name, list, p, detail, a, b, c);
  };
  IterationCoster.prototype.once = function (name, steps, p, detail, key) {
    if (recording && !detail && !prefillKept(this, key)) events.push({ once: true, cx: this.cx, name, list: steps, p, key, steps: steps.length });
    return once.call(this, name, steps, p, detail, key);
  };
  for (const i of sampleIndices(space.size, designs)) {
    let chip;
    try {
      chip = chipForGenome(space, genomeAt(space, i), 'loop');
    } catch {
      continue;
    }
    evaluate(chip, w, { detail: false });
  }
  recording = false;
  IterationCoster.prototype.run = run;
  IterationCoster.prototype.once = once;
  const steps = events.reduce((s, e) => s + e.steps, 0);
  // A stand-in for the coster: its kept costs cleared before every call, so that every call costs its list.
  const fake = { cx: undefined, id: 0, kept: [undefined, undefined, undefined, undefined, undefined] };
  let sink = 0;
  let fakeCosts = 0;
  const pass = () => {
    for (const e of events) {
      fake.cx = e.cx;
      if (e.once) {
        // A coster id no kept prefill attention has: costed afresh.
        fake.id = -(++fakeCosts);
        // (Builds before 63e1078 kept it in these fields.)
        fake.prefillAttention = fake.drafterPrefillAttention = undefined;
        sink += once.call(fake, e.name, e.list, e.p, false, e.key).timeSec;
      } else {
        const k = fake.kept[e.slot];
        if (k !== undefined) k.a0 = k.a1 = NaN;
        sink += run.call(fake, e.slot, e.name, e.list, e.p, false, e.a, e.b, e.c).timeSec;
      }
    }
  };
  return { pass, steps, events: events.length, sink: () => sink, ns: [] };
}

const builds = baseline ? [await load(baseline), await load(ROOT)] : [await load(ROOT)];
const floorDesigns = await recordSteps('serve-auto', designs);
const floorSteps = floorDesigns.reduce((s, d) => s + d.count, 0);
const floor = { ns: [] };
const cpu = (f) => {
  const c0 = process.cpuUsage();
  f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) * 1e3;
};
const t0 = performance.now();
let turn = 0;
while (performance.now() - t0 < seconds * 1000) {
  for (const b of builds) b.ns.push(cpu(b.pass) / b.steps);
  let fs = 0;
  floor.ns.push(cpu(() => { for (const d of floorDesigns) fs += floorDesign(d.chip, d.steps, d.count); }) / floorSteps);
  if (!Number.isFinite(fs)) throw new Error('floor: non-finite');
  turn++;
}
const med = (xs) => {
  const s = xs.slice(2).sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
};
const f = med(floor.ns);
const parts = builds.map((b, i) => `${builds.length > 1 ? (i === 0 ? 'baseline' : 'current') : 'loop'} ${med(b.ns).toFixed(1)} ns/step (${(med(b.ns) / f).toFixed(2)}x floor; ${(b.steps / b.events).toFixed(1)} steps a list)`);
console.log(`serve-auto step loop, ${turn} turns: ${parts.join(', ')}; floor ${f.toFixed(1)} ns/step (${(floorSteps / floorDesigns.length).toFixed(1)} steps a design)${builds.length > 1 ? `; current/baseline ${(med(builds[1].ns) / med(builds[0].ns)).toFixed(3)}` : ''}`);
