// Chips of two builds compared: every design of inference-chip and training-chip through the design
// template, every 7th through full validation (templates off), and every shipped design preset;
// each chip (or its error message) from --baseline DIR's build and from this tree's, compared by
// isDeepStrictEqual and by JSON (key order). Prints how many were compared and how many differ.
//   node bench/lib/same-chips.mjs --baseline DIR
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import { ROOT, argValue } from './common.mjs';

const baseRoot = argValue('baseline');
if (!baseRoot) throw new Error('give --baseline DIR: a checkout of the old code with its dist/ built');

async function load(root) {
  const im = (p) => import(join(root, 'dist', p));
  const [{ loadSpace }, t, { genomeAt }, { genomeKey }, { loadDesign, listDesignPresets }] = await Promise.all([
    im('search/space.js'), im('search/design-template.js'), im('search/algorithms.js'), im('results/point.js'), im('chip/load.js'),
  ]);
  return { root, loadSpace, t, genomeAt, genomeKey, loadDesign, listDesignPresets };
}

const A = await load(baseRoot);
const B = await load(ROOT);
const outcome = (f) => {
  try {
    return f();
  } catch (e) {
    return `${e?.name}: ${e?.message}`;
  }
};
const chipOf = (L, space, g, full) => {
  L.t.useDesignTemplates(!full);
  return outcome(() => L.t.chipForGenome(space, g, 'f', L.genomeKey(g)));
};
let n = 0;
let differ = 0;
const compare = (what, a, b) => {
  n++;
  if (isDeepStrictEqual(a, b) && JSON.stringify(a) === JSON.stringify(b)) return;
  if (differ++ < 5) console.log(`differs: ${what}`);
};
for (const name of ['inference-chip', 'training-chip']) {
  process.chdir(A.root);
  const sa = A.loadSpace(name);
  process.chdir(B.root);
  const sb = B.loadSpace(name);
  for (const full of [false, true]) {
    for (let i = 0; i < sa.size; i += full ? 7 : 1) {
      const g = A.genomeAt(sa, i);
      compare(`${name} design ${i}${full ? ' (full validation)' : ''}`, chipOf(A, sa, g, full), chipOf(B, sb, g, full));
    }
  }
  A.t.useDesignTemplates(true);
  B.t.useDesignTemplates(true);
}
for (const p of A.listDesignPresets()) {
  const f = (L) => {
    process.chdir(L.root);
    return outcome(() => L.loadDesign(p));
  };
  compare(`preset ${p}`, f(A), f(B));
}
console.log(`${n} chips compared, ${differ} differ`);
