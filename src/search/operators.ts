import type { Space } from './space.js';
import { randInt, type Rng } from './rng.js';

/**
 * Variation operators on genomes (one value index per parameter).
 * Ordinal genes (int, pow2, values) live in index space, where neighbours are similar designs;
 * categorical genes (choice) have no order.
 */

export function randomGenome(space: Space, rng: Rng): number[] {
  return space.parameters.map((p) => randInt(rng, p.values.length));
}

/** SBX spread factor for distribution index eta (Deb & Agrawal 1995): larger eta, children nearer their parents. */
function sbxBeta(u: number, eta: number): number {
  return u <= 0.5 ? (2 * u) ** (1 / (eta + 1)) : (1 / (2 * (1 - u))) ** (1 / (eta + 1));
}

/**
 * Crossover: with probability `pc`, each ordinal gene is recombined by SBX in index space
 * (eta 15) and rounded into range; each categorical gene comes from either parent with equal odds.
 */
export function crossover(space: Space, a: readonly number[], b: readonly number[], rng: Rng, pc = 0.9, eta = 15): [number[], number[]] {
  const c1 = [...a];
  const c2 = [...b];
  if (rng() >= pc) return [c1, c2];
  space.parameters.forEach((p, i) => {
    if (p.categorical) {
      if (rng() < 0.5) [c1[i], c2[i]] = [b[i], a[i]];
      return;
    }
    if (rng() >= 0.5 || a[i] === b[i]) return;
    const beta = sbxBeta(rng(), eta);
    const mid = (a[i] + b[i]) / 2;
    const half = Math.abs(a[i] - b[i]) / 2;
    const clamp = (x: number) => Math.min(p.values.length - 1, Math.max(0, Math.round(x)));
    c1[i] = clamp(mid - beta * half);
    c2[i] = clamp(mid + beta * half);
  });
  return [c1, c2];
}

/**
 * Mutation with probability `pm` per gene (default 1/genes): an ordinal gene steps +/-1 (80%)
 * or is reset uniformly (20%, to escape local neighbourhoods); a categorical gene takes a
 * different value uniformly.
 */
export function mutate(space: Space, g: readonly number[], rng: Rng, pm = 1 / space.parameters.length): number[] {
  const out = [...g];
  return mutateInto(space, g, out, rng, pm);
}

/** One neighbour: a single gene, chosen uniformly, moved one step (ordinal) or to another value (categorical). */
export function neighbour(space: Space, g: readonly number[], rng: Rng): number[] {
  const movable = space.parameters.map((p, i) => (p.values.length > 1 ? i : -1)).filter((i) => i >= 0);
  const out = [...g];
  if (movable.length === 0) return out;
  const i = movable[randInt(rng, movable.length)];
  const p = space.parameters[i];
  const n = p.values.length;
  if (p.categorical) {
    const other = randInt(rng, n - 1);
    out[i] = other >= g[i] ? other + 1 : other;
  } else {
    const step = g[i] === 0 ? 1 : g[i] === n - 1 ? -1 : rng() < 0.5 ? -1 : 1;
    out[i] = g[i] + step;
  }
  return out;
}

function mutateInto(space: Space, g: readonly number[], out: number[], rng: Rng, pm: number): number[] {
  space.parameters.forEach((p, i) => {
    const n = p.values.length;
    if (n < 2 || rng() >= pm) return;
    if (p.categorical || rng() < 0.2) {
      const other = randInt(rng, n - 1);
      out[i] = other >= g[i] ? other + 1 : other;
      return;
    }
    const step = rng() < 0.5 ? -1 : 1;
    out[i] = Math.min(n - 1, Math.max(0, g[i] + step));
    if (out[i] === g[i]) out[i] = g[i] - step;
  });
  return out;
}
