import type { Space } from './space.js';
import { randInt, type Rng } from './rng.js';
import type { ObjectiveModel } from './surrogate.js';

/**
 * A relevance jump (bench/NOTES.md, "Relevance jumps"): `genome` (a front member's) with `genes`
 * parameters moved to another value (uniformly), each parameter drawn with the odds of its
 * relevance to one objective, itself drawn at random. It keeps the values the front has found good
 * and moves where that objective changes, so it lands in a cell of the parameters that set the
 * objective that the search may not have seen, at a cost and energy near the front's.
 */
export function relevanceJump(space: Space, genome: readonly number[], relevance: readonly (readonly number[])[], genes: number, rng: Rng): number[] {
  const g = [...genome];
  const rel = relevance[randInt(rng, relevance.length)];
  for (let k = 0; k < genes; k++) {
    let u = rng();
    let i = 0;
    while (i < rel.length - 1 && u >= rel[i]) u -= rel[i++];
    const n = space.parameters[i].values.length;
    if (n > 1) g[i] = (g[i] + 1 + randInt(rng, n - 1)) % n;
  }
  return g;
}

/**
 * A jump the model predicts infeasible (chance under `below`) moved in one more parameter: the
 * single change of one parameter that raises its predicted chance of being feasible most, or the
 * jump itself where none raises it. The parameters a jump moves are those an objective depends on;
 * the ones a constraint depends on are often others (on inference-chip, 12 units and 8 HBM stacks
 * fit only on two dies, and the die count changes no objective), so a jump into a new cell from a
 * one-die front member is infeasible and the cell stays unseen (bench/NOTES.md, "Feasibility
 * repair of jumps"). Deterministic: no draw.
 */
export function repairedJump(space: Space, model: ObjectiveModel, genome: number[], below: number): number[] {
  let best = below > 0 ? model.predict(genome).feasibility : 1;
  if (best >= below) return genome;
  let repaired = genome;
  genome.forEach((value, i) => {
    for (let v = 0; v < space.parameters[i].values.length; v++) {
      if (v === value) continue;
      const g = [...genome];
      g[i] = v;
      const chance = model.predict(g).feasibility;
      if (chance > best) [best, repaired] = [chance, g];
    }
  });
  return repaired;
}
