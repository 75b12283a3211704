import type { PointResult } from '../results/point.js';

/** What a search keeps of an evaluated design (algorithms.ts's ArchivedPoint). */
type ArchivedPoint = Pick<PointResult, 'key' | 'genome' | 'feasible' | 'violation' | 'objectives'>;
/** The archive, as read here. */
type Archive = { values(): IterableIterator<ArchivedPoint> };

/**
 * Parent choice for offspring (options, off by default; bench/NOTES.md, "Parents and islands"):
 *   mateFar K   the second parent is the one of K tournament winners farthest from the first in a
 *               Hamming distance weighted by the parameters' relevance (the mean over objectives of
 *               ObjectiveModel.relevance): crossover of parents that differ where the objectives
 *               change lands in cells between them, near the front;
 *   mateRare K  each parent is the one of K tournament winners whose cell (its values of the
 *               parameters of at least average relevance) holds the fewest evaluated designs.
 * Both keep the tournament's draws and add K - 1 more per parent; ties go to the earlier draw, so
 * the choice depends only on the archive, the population and the generator (resume holds).
 */
export interface MatingOptions {
  mateFar: number;
  mateRare: number;
  /** Which offspring: 1 the screen's bred candidates, 2 the plain offspring, 3 both. */
  mateScope: number;
}

/** Indices into `pop` of two parents. */
export type ParentPair = () => [number, number];

export function parentPair(pop: readonly ArchivedPoint[], archive: Archive, tournament: () => number, options: MatingOptions, relevance: readonly (readonly number[])[] | undefined): ParentPair {
  const plain: ParentPair = () => [tournament(), tournament()];
  if (!relevance || relevance.length === 0 || (options.mateFar < 2 && options.mateRare < 2)) return plain;
  const P = relevance[0].length;
  const weight = Array.from({ length: P }, (_, i) => relevance.reduce((s, r) => s + r[i], 0) / relevance.length);
  if (options.mateFar >= 2) {
    const distance = (a: readonly number[], b: readonly number[]) => {
      let d = 0;
      for (let i = 0; i < P; i++) if (a[i] !== b[i]) d += weight[i];
      return d;
    };
    return () => {
      const i = tournament();
      let j = tournament();
      let far = distance(pop[i].genome, pop[j].genome);
      for (let k = 1; k < options.mateFar; k++) {
        const c = tournament();
        const d = distance(pop[i].genome, pop[c].genome);
        if (d > far) [j, far] = [c, d];
      }
      return [i, j];
    };
  }
  const genes = weight.map((w, i) => (w >= 1 / P ? i : -1)).filter((i) => i >= 0);
  const cellOf = (g: readonly number[]) => genes.map((i) => g[i]).join('.');
  const count = new Map<string, number>();
  for (const p of archive.values()) {
    const c = cellOf(p.genome);
    count.set(c, (count.get(c) ?? 0) + 1);
  }
  const rarity = pop.map((p) => count.get(cellOf(p.genome)) ?? 0);
  const rare = () => {
    let i = tournament();
    for (let k = 1; k < options.mateRare; k++) {
      const c = tournament();
      if (rarity[c] < rarity[i]) i = c;
    }
    return i;
  };
  return () => [rare(), rare()];
}
