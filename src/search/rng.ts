import seedrandom from 'seedrandom';
import type { RngState } from '../results/run.js';

/** A seeded generator whose state can be saved with a run and restored exactly. */
export interface Rng {
  (): number;
  state(): RngState;
}

export function makeRng(seed: number | string, state?: RngState): Rng {
  return (state ? seedrandom('', { state }) : seedrandom(String(seed), { state: true })) as Rng;
}

export function randInt(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}
