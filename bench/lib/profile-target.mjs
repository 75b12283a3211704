// What the profile benchmark samples: evaluateGenome in a loop over a spread of a problem's designs.
//   node --cpu-prof bench/lib/profile-target.mjs --problem serve-batch256 --ms 3000
import { argValue, lib, sampleIndices } from './common.mjs';
import { loadProblem } from './problems.mjs';

const { evaluateGenome } = await lib('search/problem.js');
const { genomeAt } = await lib('search/algorithms.js');
const { space, problem } = await loadProblem(argValue('problem', 'serve-batch256'));
const genomes = sampleIndices(space.size, 4096).map((i) => genomeAt(space, i));
const ms = Number(argValue('ms', '3000'));
const t0 = performance.now();
let n = 0;
while (performance.now() - t0 < ms) evaluateGenome(problem, genomes[n++ % genomes.length]);
process.stdout.write(JSON.stringify({ evaluations: n, seconds: (performance.now() - t0) / 1000 }) + '\n');
