/**
 * Nelder-Mead simplex minimization (Nelder & Mead 1965; the standard coefficients 1, 2, 0.5, 0.5
 * of Lagarias et al., SIAM J. Optim. 9, 1998), deterministic: the same start gives the same path.
 * Restarts from the best point until a restart no longer improves it, a cheap guard against the
 * simplex collapsing early.
 */
export interface MinimizeResult {
  x: number[];
  fx: number;
  evaluations: number;
}

export function nelderMead(f: (x: number[]) => number, x0: number[], opts: { step?: number; maxEvaluations?: number; tolerance?: number; restarts?: number } = {}): MinimizeResult {
  const step = opts.step ?? 0.5;
  const maxEvaluations = opts.maxEvaluations ?? 400 * x0.length;
  const tolerance = opts.tolerance ?? 1e-7;
  let evaluations = 0;
  const fx = (x: number[]) => {
    evaluations++;
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity;
  };
  let best = { x: [...x0], fx: fx(x0) };
  for (let restart = 0; restart <= (opts.restarts ?? 3); restart++) {
    const r = simplexRun(fx, best.x, step, maxEvaluations, tolerance);
    const improved = r.fx < best.fx - tolerance;
    if (r.fx <= best.fx) best = r;
    if (!improved) break;
  }
  return { ...best, evaluations };
}

function simplexRun(f: (x: number[]) => number, x0: number[], step: number, maxEvaluations: number, tolerance: number): { x: number[]; fx: number } {
  const n = x0.length;
  const pts: { x: number[]; fx: number }[] = [{ x: [...x0], fx: f(x0) }];
  for (let i = 0; i < n; i++) {
    const x = [...x0];
    x[i] += step;
    pts.push({ x, fx: f(x) });
  }
  let evals = n + 1;
  const combine = (a: number[], b: number[], t: number) => a.map((ai, i) => ai + t * (b[i] - ai));
  while (evals < maxEvaluations) {
    pts.sort((a, b) => a.fx - b.fx);
    if (Math.abs(pts[n].fx - pts[0].fx) <= tolerance * (Math.abs(pts[0].fx) + tolerance)) break;
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j] += pts[i].x[j] / n;
    const worst = pts[n];
    const xr = combine(centroid, worst.x, -1);
    const fr = f(xr);
    evals++;
    if (fr < pts[0].fx) {
      const xe = combine(centroid, worst.x, -2);
      const fe = f(xe);
      evals++;
      pts[n] = fe < fr ? { x: xe, fx: fe } : { x: xr, fx: fr };
    } else if (fr < pts[n - 1].fx) {
      pts[n] = { x: xr, fx: fr };
    } else {
      const outside = fr < worst.fx;
      const xc = combine(centroid, outside ? xr : worst.x, 0.5);
      const fc = f(xc);
      evals++;
      if (fc < (outside ? fr : worst.fx)) {
        pts[n] = { x: xc, fx: fc };
      } else {
        for (let i = 1; i <= n; i++) {
          const x = combine(pts[0].x, pts[i].x, 0.5);
          pts[i] = { x, fx: f(x) };
          evals++;
        }
      }
    }
  }
  pts.sort((a, b) => a.fx - b.fx);
  return pts[0];
}
