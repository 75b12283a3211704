// The surrogate's linear model: the features of a genome (scaled index, its square, indicators per
// value, pairwise products) and the ridge normal equations fitted on them (src/search/surrogate.ts
// predicts with them).
import type { Space } from './space.js';

/**
 * A parameter with at most this many values also gets one indicator feature per value, so the
 * model can follow a response that is not smooth in the value's index (a clock or an SRAM size
 * where one step matters more than the next). Above it, a parameter is seen through its scaled
 * index and its square only: indicators for a thousand-value parameter would make the model as
 * wide as the space is long.
 */
export const ONE_HOT_MAX = 16;
/**
 * Pairwise products of the parameters' scaled indices for spaces of at most this many parameters
 * (66 pairs): the objectives of a chip are products of its parameters (throughput ~ units x clock),
 * which the logarithm turns into sums, but memory-bound and fit limits make pairs matter as well.
 * Above it the pairs would cost more per update than the evaluation they screen.
 */
const PAIRS_MAX_PARAMETERS = 12;

/**
 * The features of a genome: a constant, each parameter's index scaled to [0, 1] (a two-valued
 * categorical parameter as 0/1; a categorical one of more values only through its indicators), its
 * square, indicators of each value for parameters of few values, and pairwise products of the
 * scaled indices.
 */
export class GenomeFeatures {
  readonly width: number;
  private readonly scalar: number[] = [];
  private readonly squared: number[] = [];
  private readonly indicatorBase: number[] = [];

  private readonly pairs: boolean;
  private readonly indicatorEnd: number;

  constructor(readonly space: Space) {
    space.parameters.forEach((p, i) => {
      const n = p.values.length;
      if (n > 1 && (!p.categorical || n === 2)) this.scalar.push(i);
      if (n > 2 && !p.categorical) this.squared.push(i);
    });
    let w = 1 + this.scalar.length + this.squared.length;
    space.parameters.forEach((p, i) => {
      const n = p.values.length;
      this.indicatorBase[i] = n > 2 && n <= ONE_HOT_MAX ? w : -1;
      if (this.indicatorBase[i] >= 0) w += n;
    });
    this.indicatorEnd = w;
    this.pairs = this.scalar.length <= PAIRS_MAX_PARAMETERS;
    if (this.pairs) w += (this.scalar.length * (this.scalar.length - 1)) / 2;
    this.width = w;
  }

  /** Writes the features of `genome` into `out` (length `width`). */
  write(genome: readonly number[], out: Float64Array): Float64Array {
    const ps = this.space.parameters;
    out.fill(0);
    out[0] = 1;
    let w = 1;
    const x = this.scalar.map((i) => genome[i] / (ps[i].values.length - 1));
    for (const v of x) out[w++] = v;
    for (const i of this.squared) {
      const v = genome[i] / (ps[i].values.length - 1);
      out[w++] = v * v;
    }
    ps.forEach((_, i) => {
      if (this.indicatorBase[i] >= 0) out[this.indicatorBase[i] + genome[i]] = 1;
    });
    w = this.indicatorEnd;
    if (this.pairs) for (let a = 0; a < x.length; a++) for (let b = a + 1; b < x.length; b++) out[w++] = x[a] * x[b];
    return out;
  }
}

/** Sums of a least-squares fit, updated one observation at a time: X'X (upper triangle) and X'y for each target. */
export class NormalEquations {
  readonly gram: Float64Array;
  readonly moments: Float64Array[];
  count = 0;

  constructor(
    readonly width: number,
    targets: number,
  ) {
    this.gram = new Float64Array(width * width);
    this.moments = Array.from({ length: targets }, () => new Float64Array(width));
  }

  add(f: Float64Array, y: readonly number[]): void {
    const d = this.width;
    for (let a = 0; a < d; a++) {
      const fa = f[a];
      if (fa === 0) continue;
      for (let b = a; b < d; b++) this.gram[a * d + b] += fa * f[b];
      for (let t = 0; t < y.length; t++) this.moments[t][a] += fa * y[t];
    }
    this.count++;
  }

  /**
   * Ridge solutions (X'X + lambda I) w = X'y for the targets `which`, the constant left unpenalized,
   * by Cholesky. Undefined when nothing has been added.
   */
  solve(lambda: number, which: number[]): Float64Array[] | undefined {
    if (this.count === 0) return undefined;
    const d = this.width;
    const l = new Float64Array(d * d);
    for (let a = 0; a < d; a++) for (let b = a; b < d; b++) l[b * d + a] = this.gram[a * d + b] + (a === b ? (a === 0 ? 1e-9 : lambda) : 0);
    // In place: l holds the lower triangle, then its Cholesky factor.
    for (let j = 0; j < d; j++) {
      let s = l[j * d + j];
      for (let k = 0; k < j; k++) s -= l[j * d + k] * l[j * d + k];
      const diag = Math.sqrt(Math.max(s, 1e-12));
      l[j * d + j] = diag;
      for (let i = j + 1; i < d; i++) {
        let t = l[i * d + j];
        for (let k = 0; k < j; k++) t -= l[i * d + k] * l[j * d + k];
        l[i * d + j] = t / diag;
      }
    }
    return which.map((t) => {
      const z = Float64Array.from(this.moments[t]);
      for (let i = 0; i < d; i++) {
        let s = z[i];
        for (let k = 0; k < i; k++) s -= l[i * d + k] * z[k];
        z[i] = s / l[i * d + i];
      }
      for (let i = d - 1; i >= 0; i--) {
        let s = z[i];
        for (let k = i + 1; k < d; k++) s -= l[k * d + i] * z[k];
        z[i] = s / l[i * d + i];
      }
      return z;
    });
  }
}
