import seedrandom from 'seedrandom';
import type { RngState } from '../results/run.js';

/** A seeded generator whose state can be saved with a run and restored exactly. */
export interface Rng {
  (): number;
  state(): RngState;
}

/**
 * The key a seed gives seedrandom. ARC4's key schedule repeats a short key to 256 bytes, and
 * seedrandom keys with the seed's characters as they are, so the key "1" and the key "11" (or "2"
 * and "22", "12" and "1212") give one and the same stream. A fixed prefix with one colon makes every
 * key a primitive word (no key is another repeated), so distinct seeds of under 120 characters get
 * distinct schedules (Fine and Wilf).
 */
export function rngKey(seed: number | string): string {
  return `chipdse:${String(seed)}`;
}

export function makeRng(seed: number | string, state?: RngState): Rng {
  return (state ? seedrandom('', { state }) : seedrandom(rngKey(seed), { state: true })) as Rng;
}

export function randInt(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}
