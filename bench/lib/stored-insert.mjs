// saveGeneration's CPU a row (issue 17b): G generations of 2,048 stored designs of bench/spaces/scale-1e6.json
// (the first G0 evaluated, the rest the same rows under the next designs' keys), a 262-design front
// changing by 6 a generation, written to fresh SQLite files; VARIANTS: a JSON list of ';'-separated
// pragmas to set on the file, 'cols' to write the rows as columns (StoredColumns).
//   G=488 ROUNDS=2 VARIANTS='["cols", "cols;synchronous=NORMAL"]' node bench/lib/stored-insert.mjs
import { rmSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { DIST, ROOT } from './common.mjs';
const L = (p) => import(join(DIST, p));
const { loadProblemOf } = await import('./problems.mjs');
const { SCALE_WORKLOAD } = await import('./scale-spaces.mjs');
const { storeEncoder, problemFromData } = await L('search/pool.js');
const { makeAlgorithm, archiveFor } = await L('search/algorithms.js');
const { makeRng } = await L('search/rng.js');
const { SqliteRunStore } = await L('store/sqlite.js');
const G = Number(process.env.G ?? 60);
const variants = JSON.parse(process.env.VARIANTS ?? '[""]');
const rounds = Number(process.env.ROUNDS ?? 3);
const { space, data } = await loadProblemOf(join(ROOT, 'bench/spaces/scale-1e6.json'), [SCALE_WORKLOAD]);
const problem = problemFromData(data);
const enc = storeEncoder(problem);
const alg = makeAlgorithm('exhaustive', space, 2048);
const archive = archiveFor('exhaustive');
const rng = makeRng(1);
const gens = [];
const G0 = Number(process.env.G0 ?? 20);
const { genomeKey } = await L('results/point.js');
for (let g = 0; g < G; g++) {
  const genomes = alg.propose(archive, 2048, rng);
  if (g < G0) {
    const pts = genomes.map((x) => enc(x, 'packed'));
    for (const p of pts) archive.set(p.key, p);
    gens.push(pts);
  } else {
    const src = gens[g % G0];
    const pts = genomes.map((x, i) => ({ ...src[i], key: genomeKey(x), genome: x }));
    for (const p of pts) archive.set(p.key, p);
    gens.push(pts);
  }
}
const meta = { name: 'r', spaceName: 's', spaceJson: '{}', parameters: null, workloads: [], objectives: [], constraints: [], algorithm: 'exhaustive', seed: 1, budget: 1e6, population: 2048, reference: null, toolVersion: 'x' };
const sbm = await L('search/stored-batch.js');
const colGens = variants.includes('cols') ? gens.map((pts) => new sbm.StoredColumns([{ batch: sbm.toColumns(pts).batch, genomes: pts.map((p) => p.genome) }])) : [];
const res = Object.fromEntries(variants.map((v) => [v, []]));
for (let r = 0; r < rounds; r++) for (const v of variants) {
  process.env.B24_PRAGMAS = v;
  const dir = mkdtempSync(join(tmpdir(), 'b24ins-'));
  const store = new SqliteRunStore(join(dir, 'x.db'));
  for (const pr of v.split(';').filter((x) => x !== 'cols').filter(Boolean)) store.db.pragma(pr);
  const id = await store.createRun(meta, 'now');
  const c0 = process.cpuUsage(); const t0 = performance.now();
  let seq = 0;
  let front = gens[0].slice(0, 262).map((p) => p.key);
  for (let g = 0; g < G; g++) {
    if (g > 0) { front = front.slice(); for (let j = 0; j < 6; j++) front[(g * 37 + j * 41) % 262] = gens[g][j].key; }
    await store.saveGeneration(id, { results: v === 'cols' ? colGens[g] : gens[g], firstSeq: seq, stats: { generation: g, evaluations: seq + 2048, feasibleShare: 0.5, frontSize: 1, hypervolume: 1 }, front, reference: null, state: {}, rngState: [1, 2, 3, 4] });
    seq += gens[g].length;
  }
  const c = process.cpuUsage(c0); const w = performance.now() - t0;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  const n = G * 2048;
  res[v].push({ us: ((c.user + c.system) / n).toFixed(2), sys: (c.system / n).toFixed(2), wall: (w * 1000 / n).toFixed(2) });
}
for (const v of variants) console.log(JSON.stringify(v), res[v].map((x) => `${x.us}(${x.sys}s)`).join(' '));
