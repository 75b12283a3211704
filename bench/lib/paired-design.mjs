// The design alone, two builds side by side (as bench/lib/paired-ab.mjs does for whole
// evaluations): each build's chipForGenome (the design template, cross-field rules and the chip
// build) with the genome's key, taking turns of 40 ms for --seconds; prints the 50th/80th/95th
// percentiles of per-turn designs per CPU-second, their ratio, and each build's SHA-1 of the JSON
// of 1,000 chips (which must match). --order as in bench/lib/design-parts.mjs: bench (the
// throughput benchmark's designs in its order), random (the same designs shuffled) or walk (each
// design one parameter away from the one before).
//   node bench/lib/paired-design.mjs --baseline DIR [--problem serve-auto] [--order bench] [--seconds 10]
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { ROOT, argValue, sampleIndices } from './common.mjs';
import { PROBLEMS } from './problems.mjs';
import { orderedGenomes } from './design-order.mjs';
import { takeTurns, turnSummary } from './turns.mjs';

const baseline = argValue('baseline');
if (!baseline) throw new Error('give --baseline DIR: a checkout of the old code with its dist/ built');
const name = argValue('problem', 'serve-auto');
const seconds = Number(argValue('seconds', '10'));
const order = argValue('order', 'bench');
const spec = PROBLEMS[name];
if (!spec) throw new Error(`unknown problem ${name} (${Object.keys(PROBLEMS).join(', ')})`);

async function load(root) {
  const im = (p) => import(join(root, 'dist', p));
  const { loadSpace } = await im('search/space.js');
  const { chipForGenome } = await im('search/design-template.js');
  const { genomeAt } = await im('search/algorithms.js');
  const { genomeKey } = await im('results/point.js');
  process.chdir(root);
  const space = loadSpace(spec.space);
  const genomes = orderedGenomes(space, sampleIndices(space.size, 4096).map((i) => genomeAt(space, i)), order);
  const chip = (g) => {
    const key = genomeKey(g);
    try {
      return chipForGenome(space, g, `${space.name} design ${key}`, key);
    } catch (e) {
      return String(e);
    }
  };
  const h = createHash('sha1');
  for (let i = 0; i < 1000; i++) h.update(JSON.stringify(chip(genomes[i])));
  return { run: (i) => chip(genomes[i % genomes.length]), sha1: h.digest('hex').slice(0, 12), rates: [] };
}

const builds = [await load(baseline), await load(ROOT)];
takeTurns(builds, seconds);
console.log(`chipForGenome, ${name}, order ${order}: ${turnSummary(builds[0], builds[1])}`);
