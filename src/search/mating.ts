import type { PointResult } from '../results/point.js';

/** What is read here of an evaluated design (of algorithms.ts's ArchivedPoint, which imports this module). */
type Designed = Pick<PointResult, 'genome'>;
/** The archive, as read here. */
type Archive = { values(): IterableIterator<Designed> };

/**
 * Parents from less-visited cells (option `mateRare`, 3 by default; bench/NOTES.md, "Parents and
 * islands"): each parent is the one of `rare` tournament winners whose cell holds the fewest
 * evaluated designs, feasible or not. A cell is a design's values of the parameters of at least
 * average relevance (the mean over objectives of ObjectiveModel.relevance; on inference-chip the
 * matrix units, HBM stacks, clock and link). The tournament's draws are kept and `rare` - 1 more
 * are made per parent; ties go to the earlier draw, so the choice depends only on the archive, the
 * population and the generator (a resumed run chooses as the uninterrupted one). Under 2 (off), or
 * without a relevance yet, the tournament's draws.
 */
export function parentPair(pop: readonly Designed[], archive: Archive, tournament: () => number, rare: number, relevance: readonly (readonly number[])[] | undefined): () => [number, number] {
  if (!relevance || relevance.length === 0 || rare < 2) return () => [tournament(), tournament()];
  const P = relevance[0].length;
  const weight = Array.from({ length: P }, (_, i) => relevance.reduce((s, r) => s + r[i], 0) / relevance.length);
  const genes = weight.map((w, i) => (w >= 1 / P ? i : -1)).filter((i) => i >= 0);
  const cellOf = (g: readonly number[]) => genes.map((i) => g[i]).join('.');
  const count = new Map<string, number>();
  for (const p of archive.values()) {
    const c = cellOf(p.genome);
    count.set(c, (count.get(c) ?? 0) + 1);
  }
  const visits = pop.map((p) => count.get(cellOf(p.genome)) ?? 0);
  const pick = () => {
    let i = tournament();
    for (let k = 1; k < rare; k++) {
      const c = tournament();
      if (visits[c] < visits[i]) i = c;
    }
    return i;
  };
  return () => [pick(), pick()];
}
