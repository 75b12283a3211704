import { constrainedNonDominatedSort, crowdingDistance } from '../pareto/index.js';
import { randInt, type Rng } from './rng.js';
import type { PointResult } from '../results/point.js';

/** What a search keeps of an evaluated design (algorithms.ts's ArchivedPoint). */
type ArchivedPoint = Pick<PointResult, 'key' | 'genome' | 'feasible' | 'violation' | 'objectives'>;
/** The archive, as read here. */
type Archive = { get(key: string): ArchivedPoint | undefined };
import { frontContributions, HYPERVOLUME_MATING_LIMIT, survive, type SurvivalName } from './survival.js';

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

/** A parent pool: its points, tournaments of `size` over them, and its first front (the jumps' sources where it is an island's). */
export interface Breeder {
  pop: ArchivedPoint[];
  tournament: () => number;
  first: ArchivedPoint[];
}

/**
 * Tournaments of `size` over `pop`: rank, then, within the first front, exclusive hypervolume
 * where `mating` says so (the members that add most to the front, its sparse parts and ends, are
 * the likeliest parents), crowding elsewhere.
 */
export function breeder(pop: ArchivedPoint[], mating: 'crowding' | 'hypervolume', size: number, rng: Rng): Breeder {
  const { rank, crowd, fronts } = rankAndCrowd(pop);
  if (mating === 'hypervolume' && fronts[0]?.length > 0 && fronts[0].length <= HYPERVOLUME_MATING_LIMIT && pop[fronts[0][0]].feasible) {
    const c = frontContributions(pop, fronts[0]);
    fronts[0].forEach((i, j) => (crowd[i] = c[j]));
  }
  const better = (i: number, j: number) => rank[i] < rank[j] || (rank[i] === rank[j] && crowd[i] > crowd[j]);
  const tournament = () => {
    let i = randInt(rng, pop.length);
    for (let k = 1; k < size; k++) {
      const j = randInt(rng, pop.length);
      if (better(j, i)) i = j;
    }
    return i;
  };
  const first = (fronts[0] ?? []).map((i) => pop[i]).filter((p) => p.feasible);
  return { pop, tournament, first };
}

/**
 * Islands (option `islands`, off by default; bench/NOTES.md, "Parents and islands"): the
 * population is split into sub-populations, each breeding from its own members only (not the
 * archive's front) and surviving from its members and the designs it bred or was dealt; the
 * archive (no design twice), the surrogate and its screen stay shared. Every `migrate`
 * generations (0: never) each island's survival also sees the other islands' members. Each
 * design's island is known from propose to accept (the run accepts each generation before it
 * proposes the next), and the islands are stored with the run's state, so a resumed run continues
 * as the uninterrupted one.
 */
export function islandSurvival(islands: readonly string[][], results: readonly ArchivedPoint[], owner: ReadonlyMap<string, number>, archive: Archive, size: number, survival: SurvivalName, migrate: boolean): string[][] {
  return islands.map((keys, k) => {
    const merged = keys.map((key) => archive.get(key)!);
    if (migrate) islands.forEach((other, j) => j !== k && other.forEach((key) => merged.push(archive.get(key)!)));
    for (const r of results) if ((owner.get(r.key) ?? 0) === k) merged.push(r);
    const unique = [...new Map(merged.map((p) => [p.key, p])).values()];
    return survive(unique, size, survival);
  });
}
