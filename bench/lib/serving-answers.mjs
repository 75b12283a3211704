// The serving concurrency search's answers on every design of the inference-chip space for each of
// its shipped serving workloads (evaluate without detail): per design its feasibility, concurrency,
// what limited it and its metrics, one JSON line each, to compare two builds whose results may move
// in the last bit but whose answers must not.
//   node bench/lib/serving-answers.mjs --out A.jsonl [--workloads W,...]   (this build, or CHIPDSE_DIST=DIR/dist;
//     the space's workloads unless named)
//   node bench/lib/serving-answers.mjs --compare A.jsonl B.jsonl
import { readFileSync, writeFileSync } from 'node:fs';
import { argValue, lib } from './common.mjs';

/** Numeric fields by dotted path. */
const flat = (o, at = '', into = {}) => {
  for (const [k, v] of Object.entries(o)) {
    if (typeof v === 'number') into[at + k] = v;
    else if (v && typeof v === 'object') flat(v, `${at}${k}.`, into);
  }
  return into;
};

const compareAt = process.argv.indexOf('--compare');
if (compareAt > 0) {
  const [a, b] = [process.argv[compareAt + 1], process.argv[compareAt + 2]].map((f) => readFileSync(f, 'utf8').trim().split('\n').map((l) => JSON.parse(l)));
  if (a.length !== b.length) throw new Error(`${a.length} lines against ${b.length}`);
  let answers = 0;
  let identical = 0;
  let worst = 0;
  let worstAt = '';
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.feasible !== y.feasible || x.concurrency !== y.concurrency || x.limitedBy !== y.limitedBy || x.reasons !== y.reasons) {
      answers++;
      if (answers <= 5) console.log('answer differs:', JSON.stringify(x), JSON.stringify(y));
    }
    if (JSON.stringify(x) === JSON.stringify(y)) identical++;
    const mx = flat(x.metrics);
    const my = flat(y.metrics);
    for (const k of Object.keys(mx)) {
      const u = mx[k];
      const v = my[k];
      if (u === v) continue;
      const r = Math.abs(u - v) / Math.max(Math.abs(u), Math.abs(v));
      if (!(r <= worst)) {
        worst = r;
        worstAt = `${x.workload} design ${x.index} ${k}`;
      }
    }
  }
  console.log(`${a.length} evaluations: ${answers} answers (feasibility, concurrency, limit, reasons) differ; ${identical} identical; largest relative metric difference ${worst.toExponential(2)} (${worstAt})`);
  process.exit(answers > 0 ? 1 : 0);
}

const { loadSpace } = await lib('search/space.js');
const { genomeAt } = await lib('search/algorithms.js');
const { chipForGenome } = await lib('search/design-template.js');
const { loadWorkload } = await lib('workload/load.js');
const { evaluate } = await lib('eval/evaluate.js');
const space = loadSpace('inference-chip');
const lines = [];
for (const ref of argValue('workloads', space.raw.workloads.join(',')).split(',')) {
  const w = loadWorkload(ref);
  for (let i = 0; i < space.size; i++) {
    let chip;
    try {
      chip = chipForGenome(space, genomeAt(space, i), 'x');
    } catch {
      continue;
    }
    const e = evaluate(chip, w, { detail: false });
    lines.push(JSON.stringify({ workload: ref, index: i, feasible: e.feasible, reasons: e.reasons.join('; '), concurrency: e.serving?.concurrency, limitedBy: e.serving?.limitedBy, metrics: e.metrics }));
  }
}
writeFileSync(argValue('out', 'serving-answers.jsonl'), lines.join('\n') + '\n');
console.log(`${lines.length} evaluations written`);
