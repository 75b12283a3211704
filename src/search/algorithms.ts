import { constrainedNonDominatedSort, crowdingDistance, paretoFront } from '../pareto/index.js';
import { crossover, mutate, neighbour, randomGenome } from './operators.js';
import { genomeKey, type PointResult } from '../results/point.js';
import type { Space } from './space.js';
import { randInt, type Rng } from './rng.js';
import type { AlgorithmName, AlgorithmState } from '../results/run.js';
import { frontContributions, HYPERVOLUME_MATING_LIMIT, survive, survivalFor, type SurvivalName } from './survival.js';
import { ObjectiveModel, type Prediction } from './surrogate.js';
import { screen } from './screening.js';
import { relevanceJump, repairedJump } from './jumps.js';
import { DEFAULT_SURROGATE, type SurrogateOptions } from './surrogate-options.js';
import { parentPair } from './mating.js';

/** What a search keeps of each evaluated design: enough to rank it, not its metrics (those are in the store). */
export type ArchivedPoint = Pick<PointResult, 'key' | 'genome' | 'feasible' | 'violation' | 'objectives'>;
/** Every evaluated point of a run, by genome key: no design is evaluated twice. A Map, or a CountingArchive. */
export interface Archive {
  readonly size: number;
  has(key: string): boolean;
  get(key: string): ArchivedPoint | undefined;
  set(key: string, point: ArchivedPoint): unknown;
  values(): IterableIterator<ArchivedPoint>;
}

/**
 * The archive of an exhaustive search: it only counts. Exhaustive enumeration visits each index
 * once and its stored state holds the next one, so it never asks what was evaluated; keeping every
 * point would make its memory grow with the space (some 0.6 KB a design).
 */
export class CountingArchive implements Archive {
  constructor(public size = 0) {}
  has(): boolean {
    return false;
  }
  get(): undefined {
    return undefined;
  }
  set(): this {
    this.size++;
    return this;
  }
  values(): IterableIterator<ArchivedPoint> {
    return [][Symbol.iterator]();
  }
}

/** The archive a search keeps: every point, but for an exhaustive search, which only counts them. */
export function archiveFor(algorithm: AlgorithmName, evaluated = 0): Archive {
  return algorithm === 'exhaustive' ? new CountingArchive(evaluated) : new Map<string, ArchivedPoint>();
}

export function archived(p: ArchivedPoint): ArchivedPoint {
  return { key: p.key, genome: p.genome, feasible: p.feasible, violation: p.violation, objectives: p.objectives };
}

/**
 * A search strategy as a loop of propose (genomes not yet in the archive) and accept (their
 * results). Proposals depend only on the archive, the state and the generator, so a run is
 * reproducible whatever evaluates the proposals.
 */
export interface Algorithm {
  propose(archive: Archive, limit: number, rng: Rng): number[][];
  accept(results: ArchivedPoint[], archive: Archive): void;
  state(): AlgorithmState;
}

const MUTATION_RETRIES = 50;
/**
 * New offspring drawn for a child already evaluated before it is moved to a neighbour instead:
 * 10 (bench/NOTES.md, "Survival and mating"): on inference-chip and small, at 5% of the space, the
 * median hypervolume ratio went from 0.961 to 0.973 and 0.964 to 0.979 over 21 seeds; 3 and 30 did
 * about as well as 10 on inference-chip.
 */
const OFFSPRING_RETRIES = 10;
/**
 * Parents are the best of 3 drawn (rank, then exclusive hypervolume or crowding): 3 against 2 over
 * 41 seeds (bench/NOTES.md, "Survival and mating") raised the median hypervolume ratio at 1%, 2%
 * and 5% of inference-chip from 0.829, 0.911, 0.974 to 0.860, 0.920, 0.976, and on small at 5%
 * from 0.982 to 0.990; 4 was no better than 3.
 */
const TOURNAMENT_SIZE = 3;
const RANDOM_RETRIES = 2000;

/** A random genome not in the archive nor in `taken`, or undefined when none is found. */
function unseenRandom(space: Space, archive: Archive, taken: Set<string>, rng: Rng): number[] | undefined {
  for (let t = 0; t < RANDOM_RETRIES; t++) {
    const g = randomGenome(space, rng);
    const k = genomeKey(g);
    if (!archive.has(k) && !taken.has(k)) return g;
  }
  return undefined;
}

/**
 * Latin hypercube sample in index space: each gene's n values are split into `count` equal strata
 * and every stratum is used once, in a random order per gene, so the first population spans each
 * parameter's whole range (its extremes included) instead of clustering by chance.
 */
export function latinHypercube(space: Space, count: number, rng: Rng): number[][] {
  const columns = space.parameters.map((p) => {
    const n = p.values.length;
    const col = Array.from({ length: count }, (_, k) => Math.min(n - 1, Math.floor(((k + rng()) / count) * n)));
    for (let i = col.length - 1; i > 0; i--) {
      const j = randInt(rng, i + 1);
      [col[i], col[j]] = [col[j], col[i]];
    }
    return col;
  });
  return Array.from({ length: count }, (_, k) => columns.map((c) => c[k]));
}

export function genomeAt(space: Space, index: number): number[] {
  const g = new Array<number>(space.parameters.length);
  for (let i = space.parameters.length - 1; i >= 0; i--) {
    const n = space.parameters[i].values.length;
    g[i] = index % n;
    index = Math.floor(index / n);
  }
  return g;
}

/**
 * Exhaustive enumeration in mixed-radix order (last parameter fastest): the truth for small
 * spaces. Its state is the next index, stored with every generation, so it never proposes a
 * design again and needs no archive of what it evaluated (see CountingArchive).
 */
export function exhaustive(space: Space, state?: AlgorithmState): Algorithm {
  let next = state?.nextIndex ?? 0;
  return {
    propose: (_archive, limit) => {
      const out: number[][] = [];
      while (out.length < limit && next < space.size) out.push(genomeAt(space, next++));
      return out;
    },
    accept: () => {},
    state: () => ({ population: [], nextIndex: next }),
  };
}

/**
 * Uniform sampling without replacement: the baseline a search must beat. What it draws depends
 * only on the generator (stored with the run) and the archive; its state counts the designs it
 * has drawn, so a resumed run continues the count where the stored one stopped.
 */
export function randomSearch(space: Space, state?: AlgorithmState): Algorithm {
  let drawn = state?.nextIndex ?? 0;
  return {
    propose: (archive, limit, rng) => {
      const out: number[][] = [];
      const taken = new Set<string>();
      while (out.length < limit) {
        const g = unseenRandom(space, archive, taken, rng);
        if (!g) break;
        taken.add(genomeKey(g));
        out.push(g);
      }
      drawn += out.length;
      return out;
    },
    accept: () => {},
    state: () => ({ population: [], nextIndex: drawn }),
  };
}

/** The feasible non-dominated points of the archive, in insertion order. */
function archiveFront(archive: Archive): ArchivedPoint[] {
  const feasible = [...archive.values()].filter((p) => p.feasible);
  return paretoFront(feasible.map((p) => p.objectives)).map((i) => feasible[i]);
}

/** Ranks and crowding of a population under constrained domination (Deb et al. 2002). */
function rankAndCrowd(points: ArchivedPoint[]): { rank: Int32Array; crowd: Float64Array; fronts: number[][] } {
  const fronts = constrainedNonDominatedSort(points.map((p) => p.objectives), points.map((p) => p.violation));
  const rank = new Int32Array(points.length);
  const crowd = new Float64Array(points.length);
  fronts.forEach((f, r) => {
    const d = crowdingDistance(points.map((p) => p.objectives), f);
    f.forEach((idx, j) => {
      rank[idx] = r;
      crowd[idx] = d[j];
    });
  });
  return { rank, crowd, fronts };
}

/**
 * NSGA-II (Deb, Pratap, Agarwal, Meyarivan 2002) with constrained domination: feasible before
 * infeasible, infeasible by violation, then Pareto rank. The last front that fits is truncated by
 * exclusive hypervolume for 2-3 objectives (SMS-EMOA's selection) and by NSGA-III's reference
 * directions for more (see survival.ts); tournaments between parents of equal rank compare the
 * same measure. Offspring come from tournaments of 3, SBX/uniform crossover and step/reset
 * mutation; a child already in the archive is drawn again, then walked to a neighbour, then
 * replaced by a random unseen design, so no design is evaluated twice.
 */
export function nsga2(space: Space, populationSize: number, state?: AlgorithmState, options: AlgorithmOptions = {}): Algorithm {
  let population: string[] = state?.population ?? [];
  const survival = options.survival ?? survivalFor(space.objectives.length);
  const mating = options.mating ?? (survival === 'hypervolume' ? 'hypervolume' : 'crowding');
  // A resumed run screens as it did: the stored state says when it did not.
  const surrogate = options.surrogate ?? (state?.surrogate === false ? false : undefined);
  // And chooses parents as it did: a state without mateRare was stored before parent choice existed.
  const storedMating = state ? { mateRare: state.mateRare ?? 0 } : {};
  const screening = surrogate === false ? undefined : { ...DEFAULT_SURROGATE, ...storedMating, ...surrogate };
  const model = screening ? new ObjectiveModel(space, screening.lambda) : undefined;
  return {
    propose: (archive, limit, rng) => {
      // The whole generation, then cut to the limit (the budget's last, short generation): a
      // shorter run proposes exactly the first designs of a longer one, as the surrogate's picks
      // depend on how many are wanted.
      const cut = Math.min(limit, populationSize);
      const want = populationSize;
      const out: number[][] = [];
      const taken = new Set<string>();
      const push = (g: number[]) => {
        taken.add(genomeKey(g));
        out.push(g);
      };
      if (population.length === 0) {
        // The whole first generation, then cut to the budget: a shorter run proposes exactly the
        // first designs of a longer one (repeats within the hypercube are filled in after it).
        for (const g of latinHypercube(space, populationSize, rng)) if (!archive.has(genomeKey(g)) && !taken.has(genomeKey(g))) push(g);
        while (out.length < populationSize) {
          const g = unseenRandom(space, archive, taken, rng);
          if (!g) break;
          push(g);
        }
        return out.slice(0, cut);
      }
      // Parents come from the population and the archive's whole feasible front: the front can
      // outgrow the population, and its members are the best parents there are.
      const pool = new Set(population);
      const front = archiveFront(archive);
      for (const p of front) pool.add(p.key);
      const pop = [...pool].map((k) => archive.get(k)!);
      const { rank, crowd, fronts } = rankAndCrowd(pop);
      // Within the first front, by exclusive hypervolume instead of crowding where survival uses it:
      // the members that add most to the front (its sparse parts and ends) are the likeliest parents.
      if (mating === 'hypervolume' && fronts[0]?.length > 0 && fronts[0].length <= HYPERVOLUME_MATING_LIMIT && pop[fronts[0][0]].feasible) {
        const c = frontContributions(pop, fronts[0]);
        fronts[0].forEach((i, j) => (crowd[i] = c[j]));
      }
      const better = (i: number, j: number) => rank[i] < rank[j] || (rank[i] === rank[j] && crowd[i] > crowd[j]);
      const tournament = () => {
        let i = randInt(rng, pop.length);
        for (let k = 1; k < TOURNAMENT_SIZE; k++) {
          const j = randInt(rng, pop.length);
          if (better(j, i)) i = j;
        }
        return i;
      };
      const seen = (g: number[]) => archive.has(genomeKey(g)) || taken.has(genomeKey(g));
      if (model) model.update(archive.values());
      // Parents as the tournaments draw them, or (option mateRare, mating.ts) from less-visited cells.
      const drawn2 = () => [tournament(), tournament()];
      const mated = screening && model && model.feasibleCount >= screening.minFeasible ? parentPair(pop, archive, tournament, screening.mateRare, model.relevance()) : drawn2;
      const bredPair = screening && screening.mateScope & 1 ? mated : drawn2;
      const plainPair = screening && screening.mateScope & 2 ? mated : drawn2;
      const breed = (pair: () => number[]) => {
        const [a, b] = pair();
        return crossover(space, pop[a].genome, pop[b].genome, rng);
      };
      const offspring = () => mutate(space, breed(bredPair)[0], rng);
      if (model && screening) {
        if (model.feasibleCount >= screening.minFeasible) {
          // A relevance jump from a front member (jumps.ts), moved once more where the model
          // predicts it infeasible.
          let relevance: readonly (readonly number[])[] | undefined;
          const jump = () => {
            relevance ??= model.relevance()!;
            const g = relevanceJump(space, front[randInt(rng, front.length)].genome, relevance, screening.jumpGenes, rng);
            return repairedJump(space, model, g, screening.repairBelow);
          };
          // Many offspring drawn, the surrogate's best of them proposed; the rest of the
          // generation is plain offspring, below, for what the model cannot see.
          const candidates: number[][] = [];
          const drawn = new Set<string>();
          const target = Math.round(screening.candidates * want);
          for (let t = 0; t < target * 4 && candidates.length < target; t++) {
            const u = t % 100;
            const g = u < screening.randomShare * 100 ? randomGenome(space, rng) : u < (screening.randomShare + screening.jumpShare) * 100 ? jump() : offspring();
            const k = genomeKey(g);
            if (seen(g) || drawn.has(k)) continue;
            drawn.add(k);
            candidates.push(g);
          }
          const withPlain = screening.believePlain > 0 || screening.believeNovelty > 0;
          const believe = screening.believeNovelty > 0 ? (i: number, b: number, p: Prediction) => model.believed(candidates[i], p, candidates[b], screening.optimism) : undefined;
          const picks = screen(front.map((p) => p.objectives), candidates.map((g) => model.predict(g, screening.optimism, screening.carry, withPlain)), want - Math.round(screening.plainShare * want), screening.believePlain, believe);
          for (const i of picks) push(candidates[i]);
        }
      }
      let stalls = 0;
      while (out.length < want && stalls < want * 4) {
        const [c1, c2] = breed(plainPair);
        for (let child of [mutate(space, c1, rng), mutate(space, c2, rng)]) {
          if (out.length >= want) break;
          // A child already seen is drawn again from new parents, as a peer that skips a repeated
          // proposal does; then moved to a neighbour, step by step, which explores around the
          // parents (near the front) instead of jumping away.
          for (let t = 0; t < OFFSPRING_RETRIES && seen(child); t++) child = offspring();
          for (let t = 0; t < MUTATION_RETRIES && seen(child); t++) child = neighbour(space, child, rng);
          if (seen(child)) {
            const g = unseenRandom(space, archive, taken, rng);
            if (!g) {
              stalls++;
              continue;
            }
            child = g;
          }
          push(child);
        }
      }
      return out.slice(0, cut);
    },
    accept: (results, archive) => {
      const merged = [...population.map((k) => archive.get(k)!), ...results];
      population = survive(merged, populationSize, survival);
    },
    state: () => ({ population: [...population], nextIndex: 0, ...(screening ? { mateRare: screening.mateRare } : { surrogate: false }) }),
  };
}

/**
 * A population size for a budget: about 32 generations, within 8..64. Small budgets want many
 * generations more than wide ones (the archive's front joins the parents anyway, which keeps the
 * diversity a small population lacks): on the 12,960-design inference-chip space, at 1% and 2%
 * of it, population 64 reaches a median 0.758 and 0.883 of the true hypervolume, population 8
 * 0.860 and 0.920 (41 seeds, node bench/tune-search.mjs --population 8,64 --seeds 41; between 4
 * and 20 the populations do about equally, bench/NOTES.md). For a default where the budget is
 * known (the CLI, batch files).
 */
export function defaultPopulation(budget: number): number {
  return Math.min(64, Math.max(8, Math.round(budget / 32)));
}

/** The population (batch) size a search gets when none is given (no budget: the default budget of 1000). */
export function populationFor(algorithm: AlgorithmName, budget: number | undefined): number {
  return algorithm === 'nsga2' ? defaultPopulation(budget ?? 1000) : algorithm === 'exhaustive' ? 1024 : 64;
}

/**
 * Choices a benchmark may override to compare (bench/tune-search.mjs); a run always takes the
 * defaults, chosen by the number of objectives, so its stored state is all it needs to resume.
 */
export interface AlgorithmOptions {
  /** How the last front is truncated (default: survivalFor the number of objectives). */
  survival?: SurvivalName;
  /** How parents of equal rank compare in a tournament (default: hypervolume where survival is). */
  mating?: 'crowding' | 'hypervolume';
  /** Surrogate pre-screening of offspring (default: on, with DEFAULT_SURROGATE); false: plain offspring only. */
  surrogate?: false | Partial<SurrogateOptions>;
}


export function makeAlgorithm(name: AlgorithmName, space: Space, populationSize: number, state?: AlgorithmState, options: AlgorithmOptions = {}): Algorithm {
  switch (name) {
    case 'nsga2':
      return nsga2(space, populationSize, state, options);
    case 'random':
      return randomSearch(space, state);
    case 'exhaustive':
      return exhaustive(space, state);
  }
}
