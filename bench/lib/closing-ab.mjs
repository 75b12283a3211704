// The closing probe's lower bound on and off in one build and one process (closingProbe.enabled,
// src/eval/serving-iteration.ts), taking 40 ms turns as paired-ab.mjs does: what the bound saves,
// without the spread two builds add. `--swap` runs the bound first. `--mixed`: the mixed iteration's
// bounds alone on and off (closingProbe.mixed, e28), the decode-only iteration's bound on in both.
//   node bench/lib/closing-ab.mjs [--problem serve-auto] [--seconds 15] [--swap] [--mixed]
import { argValue, hasFlag, lib, sampleIndices } from './common.mjs';
import { loadProblem } from './problems.mjs';
import { takeTurns, turnSummary } from './turns.mjs';

const { evaluateGenome } = await lib('search/problem.js');
const { genomeAt } = await lib('search/algorithms.js');
const { closingProbe } = await lib('eval/serving-iteration.js');
const { space, problem } = await loadProblem(argValue('problem', 'serve-auto'));
const genomes = sampleIndices(space.size, 4096).map((i) => genomeAt(space, i));
const mixed = hasFlag('mixed');
const build = (enabled) => ({
  run: (i) => {
    if (mixed) closingProbe.mixed = enabled;
    else closingProbe.enabled = enabled;
    return evaluateGenome(problem, genomes[i % genomes.length]);
  },
  sha1: enabled ? 'bound' : 'costed',
  rates: [],
});
const off = build(false);
const on = build(true);
takeTurns(hasFlag('swap') ? [on, off] : [off, on], Number(argValue('seconds', '15')));
const what = mixed ? 'baseline: the decode-only iteration bounded; current: the mixed one too' : 'baseline: every probe costed; current: closing probes bounded';
console.log(`${argValue('problem', 'serve-auto')} (${what}): ${turnSummary(off, on)}`);
