import type { AlgorithmOptions, ArchivedPoint } from '../src/search/algorithms.js';
import { drive, evaluate, space } from './helpers/synthetic-search.js';
import { makeRng, randInt } from '../src/search/rng.js';
import { randomGenome } from '../src/search/operators.js';
import type { Space } from '../src/search/space.js';
import { ObjectiveModel } from '../src/search/surrogate.js';
import { screen } from '../src/search/screening.js';
import { repairedJump } from '../src/search/jumps.js';
import { genomeKey } from '../src/results/point.js';
import { hypervolume, paretoFront } from '../src/pareto/index.js';
import { runSearch, type SearchOptions } from '../src/search/run.js';
import { SqliteRunStore } from '../src/store/sqlite.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('surrogate pre-screening in NSGA-II', () => {
  test('the same seed proposes the same designs, and the surrogate changes them (it is used)', () => {
    const a = drive(300, 10, 5);
    const b = drive(300, 10, 5);
    expect(a.archive.map((p) => p.key)).toEqual(b.archive.map((p) => p.key));
    const plain = drive(300, 10, 5, { surrogate: false });
    // The first generation (a Latin hypercube) is the same; screening starts once the model has data.
    expect(plain.steps[0].proposed).toEqual(a.steps[0].proposed);
    expect(plain.archive.map((p) => p.key)).not.toEqual(a.archive.map((p) => p.key));
  });

  test('with every candidate a jump, each design screened in differs from a member of the front before it in at most jumpGenes parameters', () => {
    // Farthest a generation's designs lie from the archive front before it, in parameters differing, for generations screened.
    const farthest = (options: AlgorithmOptions) => {
      // 120 designs: with one gene and its repair, by 140 designs this seed's front has fewer unseen
      // neighbours than a generation wants (3 candidates for 10), and plain offspring fill the rest,
      // as they should; the bound is the jumps'.
      const { steps } = drive(120, 10, 3, options);
      const byKey = new Map<string, ArchivedPoint>();
      let worst = 0;
      for (const step of steps) {
        const before = [...byKey.values()].filter((p) => p.feasible);
        const front = paretoFront(before.map((p) => p.objectives)).map((i) => before[i].genome);
        const proposed = step.proposed.map((k) => evaluate(k.split('.').map(Number)));
        if (before.length >= 8) for (const p of proposed) worst = Math.max(worst, Math.min(...front.map((f) => f.filter((v, i) => v !== p.genome[i]).length)));
        for (const p of proposed) byKey.set(p.key, p);
      }
      return worst;
    };
    expect(farthest({ surrogate: { jumpShare: 1, randomShare: 0, plainShare: 0, jumpGenes: 2, repairBelow: 0 } })).toBeLessThanOrEqual(2);
    expect(farthest({ surrogate: { jumpShare: 1, randomShare: 0, plainShare: 0, jumpGenes: 1, repairBelow: 0 } })).toBeLessThanOrEqual(1);
    // A jump predicted infeasible is moved in one parameter more, no further.
    expect(farthest({ surrogate: { jumpShare: 1, randomShare: 0, plainShare: 0, jumpGenes: 1, repairBelow: 1 } })).toBeLessThanOrEqual(2);
    // Uniform candidates land farther: the bound above is the jumps', not the space's.
    expect(farthest({ surrogate: { jumpShare: 0, randomShare: 1, plainShare: 0 } })).toBeGreaterThan(2);
  });
  test('a jump predicted infeasible is moved in one parameter to where the model predicts it feasible; one predicted feasible is kept', () => {
    const model = new ObjectiveModel(space, 1);
    const rng = makeRng(9);
    for (let k = 0; k < 400; k++) model.add(evaluate(randomGenome(space, rng)));
    const last = (i: number) => space.parameters[i].values.length - 1;
    // Genes 1 and 2 at their largest: x1 + x2 = 2 > 1.5, infeasible.
    const infeasible = space.parameters.map((_, i) => (i === 1 || i === 2 ? last(i) : 0));
    expect(evaluate(infeasible).feasible).toBe(false);
    const repaired = repairedJump(space, model, infeasible, 0.5);
    expect(repaired.filter((v, i) => v !== infeasible[i])).toHaveLength(1);
    expect(model.predict(repaired).feasibility).toBeGreaterThan(model.predict(infeasible).feasibility);
    expect(evaluate(repaired).feasible).toBe(true);
    expect(repairedJump(space, model, infeasible, 0)).toBe(infeasible);
    const feasible = space.parameters.map(() => 0);
    expect(evaluate(feasible).feasible).toBe(true);
    expect(repairedJump(space, model, feasible, 0.5)).toBe(feasible);
  });

  test('a shorter budget proposes exactly the first designs of a longer run (the last generation is cut, not drawn smaller)', () => {
    const long = drive(200, 16, 4).archive.map((p) => p.key);
    for (const budget of [37, 90, 121]) expect(drive(budget, 16, 4).archive.map((p) => p.key)).toEqual(long.slice(0, budget));
  });

  test('no design is proposed twice, up to 90% of the space', () => {
    const { archive } = drive(1800, 40, 2);
    expect(archive.length).toBe(1800);
    expect(new Set(archive.map((p) => p.key)).size).toBe(1800);
  });

  test('a run resumed from its stored archive, state and generator proposes exactly what the uninterrupted run did', () => {
    const full = drive(400, 16, 7);
    const part = drive(400, 16, 7, {}, undefined, 6);
    // What a store holds after generation 6: the archive in evaluation order, the state, the generator.
    const resumed = drive(400, 16, 7, {}, { archive: part.archive, state: part.steps.at(-1)!.state, rngState: part.rngState });
    expect([...part.archive.map((p) => p.key), ...resumed.steps.flatMap((s) => s.proposed)]).toEqual(full.archive.map((p) => p.key));
  });

  test('a run without the surrogate stores that in its state, and a resumed run keeps it', () => {
    const part = drive(200, 10, 3, { surrogate: false }, undefined, 4);
    expect(part.steps.at(-1)!.state.surrogate).toBe(false);
    expect(drive(200, 10, 3, {}, undefined, 4).steps.at(-1)!.state.surrogate).toBeUndefined();
    const resumed = drive(200, 10, 3, {}, { archive: part.archive, state: part.steps.at(-1)!.state, rngState: part.rngState });
    const full = drive(200, 10, 3, { surrogate: false });
    expect([...part.archive.map((p) => p.key), ...resumed.steps.flatMap((s) => s.proposed)]).toEqual(full.archive.map((p) => p.key));
  });

  test('on the synthetic problem the surrogate finds more of the front at 10% of the space than plain offspring (median of 7 seeds)', () => {
    const all = Array.from({ length: space.size }, (_, i) => {
      const g: number[] = [];
      let k = i;
      for (let p = space.parameters.length - 1; p >= 0; p--) {
        g[p] = k % space.parameters[p].values.length;
        k = Math.floor(k / space.parameters[p].values.length);
      }
      return evaluate(g);
    }).filter((p) => p.feasible);
    const objs = all.map((p) => p.objectives);
    const ref = [0, 1].map((j) => Math.max(...objs.map((o) => o[j])) * 1.1);
    const truth = hypervolume(paretoFront(objs).map((i) => objs[i]), ref);
    const ratio = (pts: ArchivedPoint[]) => {
      const f = pts.filter((p) => p.feasible).map((p) => p.objectives);
      return hypervolume(paretoFront(f).map((i) => f[i]), ref) / truth;
    };
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const seeds = [1, 2, 3, 4, 5, 6, 7];
    const on = median(seeds.map((s) => ratio(drive(200, 8, s).archive)));
    const off = median(seeds.map((s) => ratio(drive(200, 8, s, { surrogate: false }).archive)));
    expect(on).toBeGreaterThan(off);
  });
});

describe('ObjectiveModel', () => {
  const draw = makeRng(11);
  const genomes = Array.from({ length: 300 }, () => randomGenome(space, draw));

  test('recovers an objective that is the exponential of its features, for designs it has not seen', () => {
    const model = new ObjectiveModel(space, 1e-6);
    for (const g of genomes.slice(0, 200)) model.add(evaluate(g));
    for (const g of genomes.slice(200, 220)) {
      const truth = evaluate(g);
      if (!truth.feasible) continue;
      expect(model.predict(g).objectives[0]).toBeCloseTo(truth.objectives[0], 4);
    }
  });

  test('absorbing the archive in pieces gives the same predictions, to the bit, as absorbing it at once', () => {
    const points = genomes.map(evaluate);
    const once = new ObjectiveModel(space, 1);
    once.update(points);
    const pieces = new ObjectiveModel(space, 1);
    for (let n = 7; n < points.length; n += 31) {
      pieces.update(points.slice(0, n));
      pieces.predict(genomes[0], 6);
    }
    pieces.update(points);
    for (const g of genomes.slice(0, 50)) expect(pieces.predict(g, 6)).toEqual(once.predict(g, 6));
  });

  test('asked for it, a prediction carries its value without the optimism', () => {
    const model = new ObjectiveModel(space, 1);
    for (const g of genomes.slice(0, 100)) model.add(evaluate(g));
    for (const g of genomes.slice(100, 140)) {
      const both = model.predict(g, 6, 1, true);
      expect(both.objectives).toEqual(model.predict(g, 6, 1).objectives);
      expect(both.plain).toEqual(model.predict(g, 0, 1).objectives);
    }
  });

  test('believed: a candidate whose pick matches it loses its optimism; a pick no nearer than an evaluated design changes nothing', () => {
    const model = new ObjectiveModel(space, 1);
    for (const g of genomes.slice(0, 100)) model.add(evaluate(g));
    const seen = new Set(genomes.slice(0, 100).map(genomeKey));
    const unseen = genomes.slice(100).find((g) => !seen.has(genomeKey(g)))!;
    const p = model.predict(unseen, 6, 1, true);
    expect(p.novelty!.some((v) => v > 0)).toBe(true);
    const same = model.believed(unseen, p, unseen, 6)!;
    expect(same.novelty).toEqual(p.novelty!.map(() => 0));
    same.objectives.forEach((v, j) => expect(v).toBeCloseTo(p.plain![j], 10));
    // Its novelty was measured against the evaluated feasible designs already.
    const known = genomes.slice(0, 100).find((g) => evaluate(g).feasible)!;
    expect(model.believed(unseen, p, known, 6)).toBeUndefined();
  });

  test('a novel design is predicted better than a known one by the optimism asked', () => {
    const model = new ObjectiveModel(space, 1);
    for (const g of genomes.slice(0, 100)) model.add(evaluate(g));
    const known = genomes.find((g) => evaluate(g).feasible)!;
    expect(model.predict(known, 6)).toEqual(model.predict(known, 0));
    const seen = new Set(genomes.slice(0, 100).map(genomeKey));
    const unseen = genomes.slice(100).find((g) => evaluate(g).feasible && !seen.has(genomeKey(g)))!;
    const plain = model.predict(unseen, 0).objectives;
    const optimistic = model.predict(unseen, 6).objectives;
    expect(optimistic.some((v, j) => v < plain[j])).toBe(true);
    expect(optimistic.every((v, j) => v <= plain[j])).toBe(true);
  });

  test('on a space of more parameters than the distance tables take (20), novelty and carry are summed per design instead', () => {
    // Only what ObjectiveModel reads of a space: its parameters' value counts and its objectives.
    const wide = { parameters: Array.from({ length: 20 }, () => ({ values: [0, 1, 2], categorical: false })), objectives: [{}, {}] } as unknown as Space;
    const rng = makeRng(3);
    const point = (g: number[]): ArchivedPoint => {
      const s = g.reduce((a, b, i) => a + b * (i + 1), 0);
      const objectives = [Math.exp(1 + s / 100), Math.exp(2 - s / 120) * (g[0] === 2 && g[1] === 2 ? 0.5 : 1)];
      return { key: genomeKey(g), genome: g, feasible: true, violation: 0, objectives };
    };
    const draws = Array.from({ length: 120 }, () => Array.from({ length: 20 }, () => randInt(rng, 3)));
    const model = new ObjectiveModel(wide, 1);
    model.update(draws.slice(0, 100).map(point));
    const known = draws[0];
    expect(model.predict(known, 6)).toEqual(model.predict(known, 0));
    expect(model.predict(known, 0, 1).objectives[1]).toBeCloseTo(point(known).objectives[1], 10);
    const plain = model.predict(draws[110], 0).objectives;
    const optimistic = model.predict(draws[110], 6).objectives;
    expect(optimistic.every((v, j) => v <= plain[j])).toBe(true);
    expect(optimistic.some((v, j) => v < plain[j])).toBe(true);
  });

  test("a design next to an evaluated outlier, differing only where the objective does not care, is predicted with the outlier's residual when carry is asked", () => {
    // Speed's outliers depend on genes 0, 2 and 3 only, and speed not at all on gene 4.
    const model = new ObjectiveModel(space, 1);
    const points = genomes.map(evaluate);
    model.update(points.slice(0, 200));
    const seen = new Set(points.slice(0, 200).map((p) => p.key));
    // The first evaluated feasible outlier with a gene-4 variant not yet evaluated.
    const n4 = space.parameters[4].values.length;
    const variants = (p: ArchivedPoint) => Array.from({ length: n4 }, (_, v) => p.genome.map((x, i) => (i === 4 ? v : x))).filter((g) => !seen.has(genomeKey(g)));
    const outlier = points.slice(0, 200).find((p) => p.feasible && (p.genome[0] * 7 + p.genome[2] * 3 + p.genome[3]) % 23 === 0 && variants(p).length > 0)!;
    expect(outlier).toBeDefined();
    const next = variants(outlier)[0];
    const truth = evaluate(next).objectives[1];
    const plain = model.predict(next, 0, 0).objectives[1];
    const carried = model.predict(next, 0, 1).objectives[1];
    // The fit alone misses the outlier; carried over from its neighbour, most of the miss is gone.
    expect(Math.abs(carried - truth)).toBeLessThan(0.5 * Math.abs(plain - truth));
    // An evaluated design is its own nearest: carry 1 gives back its value.
    expect(model.predict(outlier.genome, 0, 1).objectives[1]).toBeCloseTo(outlier.objectives[1], 10);
  });
});

describe('screen', () => {
  const front = [
    [0, 1],
    [1, 0],
  ];
  const p = (objectives: number[], feasibility = 1) => ({ objectives, feasibility });

  test('picks the candidate of largest predicted improvement first, and spreads a batch', () => {
    // 0: dominated; 1 and 2: the same gap, nearly the same point; 3: a smaller gain elsewhere.
    const picks = screen(front, [p([2, 2]), p([0.4, 0.4]), p([0.41, 0.41]), p([-0.05, 1.05])], 2);
    expect(picks[0]).toBe(1);
    // After 1 is taken, its twin adds almost nothing; the other gap is worth more.
    expect(picks[1]).toBe(3);
  });

  test('weighs improvement by the predicted chance of being feasible, and ties go to the earlier candidate', () => {
    expect(screen(front, [p([0.4, 0.4], 0.1), p([0.45, 0.45], 0.9)], 1)).toEqual([1]);
    expect(screen(front, [p([0.4, 0.4]), p([0.4, 0.4])], 1)).toEqual([0]);
  });

  test('with believePlain, a pick joins the front at its prediction without the optimism, so another hope in the same gap is still worth a pick', () => {
    // 0 and 1: the same gap, hoped for by the optimism (their plain predictions are dominated); 2: a smaller gain elsewhere.
    const hope = (objectives: number[]) => ({ objectives, feasibility: 1, plain: [2, 2] });
    const candidates = [hope([0.4, 0.4]), hope([0.41, 0.41]), p([0.7, 0.2])];
    expect(screen(front, candidates, 2)).toEqual([0, 2]);
    expect(screen(front, candidates, 2, 1)).toEqual([0, 1]);
  });

  test('when nothing promises an improvement, the least dominated come first', () => {
    expect(screen(front, [p([3, 3]), p([1.2, 1.1]), p([2, 2])], 3)).toEqual([1, 2, 0]);
  });
});

describe('--no-surrogate through runSearch', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chipdse-surrogate-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const base = (over: Partial<SearchOptions>): SearchOptions => ({ space: 'small', workloads: [], algorithm: 'nsga2', budget: 60, population: 10, seed: 2, workers: 1, db: join(dir, 'a.db'), run: 'r', resume: false, referenceChips: [], now: () => 'T', ...over });
  const keys = async (db: string) => {
    const store = new SqliteRunStore(db);
    const out = (await store.loadEvaluations((await store.getRun('r'))!.id)).map((p) => p.key);
    await store.close();
    return out;
  };

  test('is stored with the run: a resume asking for the surrogate is refused, a plain resume ends with the rows of an uninterrupted plain run', async () => {
    await runSearch(base({ db: join(dir, 'full.db'), surrogate: false }));
    const on = join(dir, 'on.db');
    await runSearch(base({ db: on }));
    expect(await keys(on)).not.toEqual(await keys(join(dir, 'full.db')));
    let gens = 0;
    const part = join(dir, 'part.db');
    const stopped = await runSearch(base({ db: part, surrogate: false, shouldStop: () => ++gens >= 3 }));
    expect(stopped.status).toBe('stopped');
    await expect(runSearch({ workloads: [], workers: 1, db: part, run: 'r', resume: true, surrogate: true, now: () => 'T' })).rejects.toThrow(/--surrogate differs from the stored run, which does not screen/);
    const resumed = await runSearch({ workloads: [], workers: 1, db: part, run: 'r', resume: true, now: () => 'T' });
    expect(resumed.status).toBe('done');
    expect(await keys(part)).toEqual(await keys(join(dir, 'full.db')));
  }, 120_000);
});
