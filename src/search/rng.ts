import seedrandom from 'seedrandom';

/** A seeded generator whose state can be saved with a run and restored exactly. */
export interface Rng {
  (): number;
  state(): object;
}

export function makeRng(seed: number | string, state?: object): Rng {
  return (state ? seedrandom('', { state: state as seedrandom.State.Arc4 }) : seedrandom(String(seed), { state: true })) as unknown as Rng;
}

export function randInt(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}
