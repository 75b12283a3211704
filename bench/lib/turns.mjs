// Builds taking turns in one process (bench/lib/paired-ab.mjs, bench/lib/paired-design.mjs): each
// build's `run(i)` called for 40 ms a turn, in turn, for `seconds`, each turn's calls per
// CPU-second kept in the build's `rates`.

/** Runs the turns; each build is { run(i), rates: [] }. */
export function takeTurns(builds, seconds) {
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    for (const b of builds) {
      const c0 = process.cpuUsage();
      const s = performance.now();
      let k = 0;
      while (performance.now() - s < 40) b.run(n + k++);
      const c = process.cpuUsage(c0);
      b.rates.push(k / ((c.user + c.system) / 1e6));
    }
    n += 997;
  }
}

/**
 * The two builds' 50th/80th/95th percentiles of their turns' rates (the high ones are the turns
 * other processes disturbed least), their ratio at p80 and p95, and the ratio turn by turn (each
 * current turn over the baseline turn just before it, which saw about the same load: its median and
 * quartiles, less moved by the load drifting over the run). The first 5 turns are left out (the
 * builds warming up).
 */
export function turnSummary(base, cur) {
  const at = (b, p) => {
    const s = b.rates.slice(5).sort((x, y) => x - y);
    return s[Math.floor(p * (s.length - 1))];
  };
  const fmt = (b) => [0.5, 0.8, 0.95].map((p) => Math.round(at(b, p))).join(' / ');
  const pairs = cur.rates.slice(5).map((r, i) => r / base.rates[i + 5]).sort((x, y) => x - y);
  const q = (p) => pairs[Math.floor(p * (pairs.length - 1))].toFixed(3);
  return `baseline ${fmt(base)} /CPU-s (p50/p80/p95), current ${fmt(cur)}; ratio at p80 ${(at(cur, 0.8) / at(base, 0.8)).toFixed(2)}, p95 ${(at(cur, 0.95) / at(base, 0.95)).toFixed(2)}; turn by turn ${q(0.5)} (${q(0.25)}-${q(0.75)}, ${pairs.length} pairs); sha1 ${base.sha1} ${cur.sha1}`;
}
