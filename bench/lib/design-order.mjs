// Orders of a problem's designs for the benchmarks of the design alone: does a speed-up depend on
// consecutive designs sharing parameter values?
//   bench   as given (the throughput benchmark's: space indices i x 7919 mod the space's size, so
//           consecutive designs differ in most parameters)
//   random  the same designs in a seeded shuffle
//   walk    as many designs, each one parameter away from the one before (a search's mutation)

/** A small seeded generator (mulberry32): every order is the same from run to run. */
function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function orderedGenomes(space, genomes, order) {
  const rand = mulberry32(17);
  if (order === 'bench') return genomes;
  if (order === 'random') {
    const out = genomes.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
  if (order === 'walk') {
    const g = genomes[0].slice();
    return genomes.map(() => {
      const k = Math.floor(rand() * g.length);
      const n = space.parameters[k].values.length;
      if (n > 1) g[k] = (g[k] + 1 + Math.floor(rand() * (n - 1))) % n;
      return g.slice();
    });
  }
  throw new Error(`--order bench, random or walk, not ${order}`);
}
