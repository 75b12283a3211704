// Seeds that miss, per setting: bench/tune-search.mjs's loop (population by the budget rule), over
// several seed sets, printing at 2% the seeds under 0.95 of the true hypervolume and their ratio.
//
//   node bench/tune-seeds.mjs SPACE FROMS SHARES SETTINGS     (N=40 seeds per set by default)
//   e.g. node bench/tune-seeds.mjs inference-chip 2001,3001,5001,6001 0.02 default,noveltyStat=1
// ORACLE=F (test hook, reads ObjectiveModel's private spread): from F feasible designs the
// novelty weighs TPOT (objective 2) by the whole space's median one-step |d log TPOT| per
// parameter instead of the search's estimate; ORACLE_UNTIL=U ends that at U feasible designs.
import { lib, surrogateOption } from './lib/common.mjs';
import { loadProblemOf } from './lib/problems.mjs';
import { budgetsOf, score, truthOf } from './lib/scoring.mjs';
import { designTable, runLoop } from './lib/search-loop.mjs';
const { defaultPopulation } = await lib('search/algorithms.js');
const { loadSpace } = await lib('search/space.js');
const [SPACE, FROMS, SHARES, SETS] = process.argv.slice(2);
const N = Number(process.env.N ?? 40);
const { space, problem } = await loadProblemOf(SPACE, loadSpace(SPACE).defaultWorkloads);
const truth = await truthOf(SPACE, space.defaultWorkloads);
const table = designTable(space, problem);
const runOnce = (seed, budget, population, surrogate) => runLoop(space, table, seed, budget, population, { surrogate: surrogateOption(surrogate) });
if (process.env.ORACLE) {
  const { ObjectiveModel } = await lib('search/surrogate.js');
  const P = space.parameters.length, J = 2;
  const rows = space.parameters.map(() => []);
  for (const r of table.values()) for (let i = 0; i < P; i++) { const g = [...r.genome]; g[i]++; if (g[i] >= space.parameters[i].values.length) continue; const s = table.get(g.join('.')); rows[i].push(Math.abs(Math.log(r.objectives[J]) - Math.log(s.objectives[J]))); }
  const med = rows.map((a) => { a.sort((x, y) => x - y); return a[a.length >> 1]; }); const tot = med.reduce((a, b) => a + b, 0); const oracle = med.map((x) => x / tot);
  console.log('oracle', oracle.map((x) => x.toFixed(3)).join(' '));
  const after = Number(process.env.ORACLE);
  const orig = ObjectiveModel.prototype.spreadOf;
  ObjectiveModel.prototype.spreadOf = function () {
    const had = this.spread; const s = orig.call(this);
    if (had !== s && this.seenFeasible.length >= after && !(Number(process.env.ORACLE_UNTIL ?? 0) > 0 && this.seenFeasible.length >= Number(process.env.ORACLE_UNTIL))) {
      s.weight = s.weight.map((w, j) => (j === J ? oracle : w));
      if (s.distance) { const t = new Float64Array(1 << P); for (let mask = 1; mask < t.length; mask++) { const top = 31 - Math.clz32(mask); t[mask] = t[mask ^ (1 << top)] + oracle[top]; } s.distance = s.distance.map((d, j) => (j === J ? t : d)); }
    }
    return s;
  };
}
const budgets = budgetsOf(space.size, SHARES.split(',').map(Number));
for (const s of SETS.split(',')) {
  const line = [];
  let pass = 0, tot = 0;
  for (const from of FROMS.split(',').map(Number)) {
    const cells = budgets.map((b) => {
      const r = []; for (let seed = from; seed < from + N; seed++) r.push({ seed, h: score(truth, runOnce(seed, b.budget, defaultPopulation(b.budget), s), b.budget).hvRatio });
      const hs = r.map((x) => x.h).sort((a, b) => a - b); const med = hs[hs.length >> 1] ;
      const ok = r.filter((x) => x.h >= 0.95).length; if (b.share === 0.02) { pass += ok; tot += N; }
      const mean = hs.reduce((a, b) => a + b, 0) / hs.length;
      return `${b.share * 100}%: ${med.toFixed(4)} (${mean.toFixed(3)}) ${ok}/${N}` + (b.share === 0.02 ? ` fail[${r.filter((x) => x.h < 0.95).map((x) => x.seed + ':' + x.h.toFixed(3)).join(' ')}]` : '');
    });
    line.push(`${from}: ${cells.join(' | ')}`);
  }
  console.log(`${SPACE} ${s}: total 2% ${pass}/${tot}\n  ` + line.join('\n  '));
}
