import type { Space } from './space.js';
import { GenomeFeatures, NormalEquations, ONE_HOT_MAX } from './surrogate-features.js';

/** What the surrogate reads of an evaluated design. */
interface Observed {
  readonly genome: readonly number[];
  readonly feasible: boolean;
  readonly objectives: readonly number[];
}

/** Feasible designs, the latest, that the novelty of a candidate is measured against (bounds a prediction's cost). */
const NOVELTY_WINDOW = 2000;

/**
 * Parameters up to which a candidate's distances to a recent design are read from a table by the
 * mask of the parameters they differ in (2^16 entries per objective at most), instead of summed per
 * objective: the same sums, in the same order, once per mask.
 */
const MASK_MAX_PARAMETERS = 16;

/** What predictions read of the recent feasible designs; rebuilt when the archive grows. */
interface Spread {
  /** Per objective: the largest absolute residual of the fit over the recent designs. */
  residual: number[];
  /** Per objective: each parameter's relevance (summing to 1). */
  relevance: number[][];
  /** The recent designs' genomes, flat (design d's gene i at d * parameters + i). */
  recent: Int32Array;
  /** Their residuals, target less fit, flat (design d's objective j at d * objectives + j). */
  residuals: Float64Array;
  /** Per objective, for spaces of at most MASK_MAX_PARAMETERS parameters: the distance of each mismatch mask. */
  distance: Float64Array[] | undefined;
}

/** Target j of a feasible design's targets: the log magnitude or the value. */
function target(y: readonly number[], j: number, log: boolean, m: number): number {
  return log ? y[j] : y[m + j];
}

/** A design's predicted objectives (minimization form, the archive's units) and chance of being feasible. */
export interface Prediction {
  objectives: number[];
  feasibility: number;
  /** The prediction without the optimism, where `predict` was asked for it. */
  plain?: number[];
  /** With `plain`: the fitted targets before the optimism, and each objective's novelty (see ObjectiveModel.believed). */
  plainTargets?: number[];
  novelty?: number[];
}

/**
 * Ridge regression of each objective (of its logarithm where every feasible design so far has it of
 * one sign: chip metrics are products of their parameters) on the genome's features, fitted on the
 * feasible designs, and of feasibility (1 or 0) on every design: cheap, deterministic, and updated
 * design by design, so that a generation costs the new designs' updates and one solve, however
 * large the archive.
 *
 * The sums are taken in the order the designs are absorbed, which is the archive's: the order they
 * were evaluated in, which is also the order a run stores and reloads them, so a resumed run refits
 * the same model to the last bit.
 */
export class ObjectiveModel {
  readonly features: GenomeFeatures;
  private readonly feasibleFit: NormalEquations;
  private readonly allFit: NormalEquations;
  private readonly m: number;
  /** Per objective: feasible designs seen with a positive, a negative value. */
  private readonly positive: number[];
  private readonly negative: number[];
  private readonly buffer: Float64Array;
  private weights: { objective: Float64Array[]; log: boolean[]; sign: number[]; feasibility: Float64Array } | undefined;
  /** Archive entries absorbed so far. */
  absorbed = 0;
  /** The feasible designs absorbed, with their targets (log magnitudes, then values), by key. */
  private readonly seenFeasible: { genome: readonly number[]; y: number[] }[] = [];
  private readonly feasibleAt = new Map<string, number>();
  private spread: Spread | undefined;

  constructor(
    space: Space,
    private readonly lambda: number,
  ) {
    this.features = new GenomeFeatures(space);
    this.m = space.objectives.length;
    // Targets: each objective's log magnitude, then each objective itself.
    this.feasibleFit = new NormalEquations(this.features.width, 2 * this.m);
    this.allFit = new NormalEquations(this.features.width, 1);
    this.positive = new Array<number>(this.m).fill(0);
    this.negative = new Array<number>(this.m).fill(0);
    this.buffer = new Float64Array(this.features.width);
  }

  get feasibleCount(): number {
    return this.feasibleFit.count;
  }

  /** Adds a design. */
  add(p: Observed): void {
    const f = this.features.write(p.genome, this.buffer);
    this.allFit.add(f, [p.feasible ? 1 : 0]);
    if (p.feasible) {
      const y = new Array<number>(2 * this.m);
      p.objectives.forEach((v, j) => {
        if (v > 0) this.positive[j]++;
        else if (v < 0) this.negative[j]++;
        y[j] = v === 0 ? 0 : Math.log(Math.abs(v));
        y[this.m + j] = v;
      });
      this.feasibleFit.add(f, y);
      this.feasibleAt.set(p.genome.join('.'), this.seenFeasible.length);
      this.seenFeasible.push({ genome: p.genome, y });
    }
    this.weights = undefined;
    this.spread = undefined;
  }

  /** Absorbs the archive's entries not absorbed yet, in its order. */
  update(archive: Iterable<Observed>): void {
    let k = 0;
    for (const p of archive) if (k++ >= this.absorbed) this.add(p);
    this.absorbed = Math.max(this.absorbed, k);
  }

  private fit() {
    if (this.weights) return this.weights;
    const n = this.feasibleFit.count;
    const log = this.positive.map((pos, j) => pos === n || this.negative[j] === n);
    const sign = this.positive.map((pos) => (pos > 0 ? 1 : -1));
    const which = log.map((l, j) => (l ? j : this.m + j));
    const objective = this.feasibleFit.solve(this.lambda, which) ?? which.map(() => new Float64Array(this.features.width));
    const feasibility = this.allFit.solve(this.lambda, [0])?.[0] ?? new Float64Array(this.features.width);
    this.weights = { objective, log, sign, feasibility };
    return this.weights;
  }

  /** The fitted targets of `genome` (log magnitudes where the objective is fitted on them), and its feasibility. */
  private raw(genome: readonly number[]): { t: number[]; feasibility: number } {
    const w = this.fit();
    const f = this.features.write(genome, this.buffer);
    const dot = (v: Float64Array) => {
      let s = 0;
      for (let i = 0; i < f.length; i++) s += v[i] * f[i];
      return s;
    };
    return { t: w.objective.map(dot), feasibility: Math.min(1, Math.max(0, dot(w.feasibility))) };
  }

  /**
   * What the fit misses, per objective: the largest residual over the recent feasible designs (not
   * the RMS: where an objective has rare outliers, such as a latency that lands well under its SLO
   * for a few unrelated combinations of parameters, those outliers are what a search must find,
   * and the RMS hides them; bench/NOTES.md, "Surrogate pre-screening"), and
   * each parameter's relevance, the mean absolute difference of the objective between feasible
   * designs that differ in that parameter alone (one step, or another value of a categorical one).
   */
  private spreadOf() {
    if (this.spread) return this.spread;
    const w = this.fit();
    const recentPts = this.seenFeasible.slice(-NOVELTY_WINDOW);
    const residual = new Array<number>(this.m).fill(0);
    const residuals = new Float64Array(recentPts.length * this.m);
    recentPts.forEach((p, d) => {
      const { t } = this.raw(p.genome);
      t.forEach((v, j) => {
        const r = target(p.y, j, w.log[j], this.m) - v;
        residuals[d * this.m + j] = r;
        residual[j] = Math.max(residual[j], Math.abs(r));
      });
    });
    const params = this.features.space.parameters;
    const sum = Array.from({ length: this.m }, () => new Array<number>(params.length).fill(0));
    const count = new Array<number>(params.length).fill(0);
    for (const p of recentPts) {
      params.forEach((q, i) => {
        const n = q.values.length;
        const others = q.categorical && n <= ONE_HOT_MAX ? Array.from({ length: n }, (_, v) => v).filter((v) => v > p.genome[i]) : p.genome[i] + 1 < n ? [p.genome[i] + 1] : [];
        for (const v of others) {
          const g = [...p.genome];
          g[i] = v;
          const at = this.feasibleAt.get(g.join('.'));
          if (at === undefined) continue;
          count[i]++;
          for (let j = 0; j < this.m; j++) sum[j][i] += Math.abs(target(p.y, j, w.log[j], this.m) - target(this.seenFeasible[at].y, j, w.log[j], this.m));
        }
      });
    }
    const relevance = sum.map((row) => {
      const known = row.filter((_, i) => count[i] > 0).map((s, k) => s / count.filter((c) => c > 0)[k]);
      const mean = known.length > 0 ? known.reduce((a, b) => a + b, 0) / known.length : 1;
      const r = row.map((s, i) => (count[i] > 0 ? s / count[i] : mean));
      const total = r.reduce((a, b) => a + b, 0);
      return r.map((x) => (total > 0 ? x / total : 1 / r.length));
    });
    const P = params.length;
    const recent = new Int32Array(recentPts.length * P);
    recentPts.forEach((p, d) => p.genome.forEach((v, i) => (recent[d * P + i] = v)));
    // distance[mask] = distance[mask less its highest bit] + rel[highest]: the relevances of the
    // mismatched parameters summed in ascending order, as a loop over the parameters would.
    const distanceTable = (rel: readonly number[]) => {
      const table = new Float64Array(1 << P);
      for (let mask = 1; mask < table.length; mask++) {
        const top = 31 - Math.clz32(mask);
        table[mask] = table[mask ^ (1 << top)] + rel[top];
      }
      return table;
    };
    const distance = P <= MASK_MAX_PARAMETERS ? relevance.map(distanceTable) : undefined;
    this.spread = { residual, relevance, recent, residuals, distance };
    return this.spread;
  }

  /** Per objective, each parameter's relevance to it (summing to 1; spreadOf); undefined before a feasible design. */
  relevance(): readonly (readonly number[])[] | undefined {
    return this.seenFeasible.length > 0 ? this.spreadOf().relevance : undefined;
  }

  /**
   * The predicted objectives of `genome`. Each objective's novelty is the relevance-weighted
   * Hamming distance to the nearest recent feasible design (0 for a design that matches one in
   * every parameter that matters to the objective, 1 for one that matches none). The fit's
   * prediction is moved by `carry` times the residual of that nearest design (the mean of them where
   * several are equally near) times one less the novelty: what the fit missed at a design holds,
   * the more the nearer, at its neighbours, so a rare outlier found (a latency well under its SLO)
   * is predicted again where only parameters that do not matter to the objective change. Then it
   * is made better by `optimism` times the fit's largest residual times the novelty: where the
   * model has not looked, it may be as wrong as it has ever been. With `withPlain`, the prediction
   * before the optimism (the fit and the carry) comes with it, as `plain`.
   */
  predict(genome: readonly number[], optimism = 0, carry = 0, withPlain = false): Prediction {
    const w = this.fit();
    const { t, feasibility } = this.raw(genome);
    let plain: number[] | undefined;
    let plainTargets: number[] | undefined;
    let novelty: number[] | undefined;
    if ((optimism > 0 || carry > 0) && this.seenFeasible.length > 0) {
      const s = this.spreadOf();
      const m = this.m;
      const P = genome.length;
      const nearest = new Float64Array(m).fill(Infinity);
      const near = new Float64Array(m);
      const ties = new Float64Array(m);
      const recent = s.recent;
      const residuals = s.residuals;
      const n = recent.length / P;
      const g = Int32Array.from(genome);
      const tables = s.distance;
      for (let d = 0, base = 0; d < n; d++, base += P) {
        let mask = 0;
        if (tables) for (let i = 0; i < P; i++) if (recent[base + i] !== g[i]) mask |= 1 << i;
        for (let j = 0; j < m; j++) {
          let dist: number;
          if (tables) dist = tables[j][mask];
          else {
            dist = 0;
            const rel = s.relevance[j];
            for (let i = 0; i < P && dist <= nearest[j]; i++) if (recent[base + i] !== g[i]) dist += rel[i];
          }
          const nj = nearest[j];
          if (dist < nj) {
            nearest[j] = dist;
            near[j] = residuals[d * m + j];
            ties[j] = 1;
          } else if (dist === nj) {
            near[j] += residuals[d * m + j];
            ties[j]++;
          }
        }
      }
      for (let j = 0; j < m; j++) if (carry > 0) t[j] += carry * Math.max(0, 1 - nearest[j]) * (near[j] / ties[j]);
      if (withPlain) {
        plain = t.map((v, j) => (w.log[j] ? w.sign[j] * Math.exp(v) : v));
        plainTargets = [...t];
        novelty = Array.from(nearest);
      }
      for (let j = 0; j < m; j++) if (optimism > 0) t[j] -= optimism * s.residual[j] * nearest[j] * (w.log[j] ? w.sign[j] : 1);
    }
    const objectives = t.map((v, j) => (w.log[j] ? w.sign[j] * Math.exp(v) : v));
    return withPlain ? { objectives, feasibility, plain: plain ?? objectives, plainTargets, novelty } : { objectives, feasibility };
  }

  /**
   * `p` (a prediction of `genome` with `withPlain`) as it would be were `pick` evaluated: each
   * objective's novelty no larger than the distance to `pick`, the optimism recomputed from it (a
   * kriging believer's shrinking of the uncertainty near a design about to be evaluated). Undefined
   * where `pick` is no nearer than what `genome`'s novelty was measured against.
   */
  believed(genome: readonly number[], p: Prediction, pick: readonly number[], optimism: number): Prediction | undefined {
    if (!p.novelty || !p.plainTargets || optimism <= 0) return undefined;
    const s = this.spreadOf();
    const w = this.fit();
    const P = genome.length;
    let mask = 0;
    for (let i = 0; i < P; i++) if (genome[i] !== pick[i]) mask |= 1 << i;
    const novelty = [...p.novelty];
    let changed = false;
    for (let j = 0; j < this.m; j++) {
      let d = 0;
      if (s.distance) d = s.distance[j][mask];
      else for (let i = 0; i < P; i++) if (genome[i] !== pick[i]) d += s.relevance[j][i];
      if (d < novelty[j]) {
        novelty[j] = d;
        changed = true;
      }
    }
    if (!changed) return undefined;
    const objectives = p.plainTargets.map((v, j) => {
      const t = v - optimism * s.residual[j] * novelty[j] * (w.log[j] ? w.sign[j] : 1);
      return w.log[j] ? w.sign[j] * Math.exp(t) : t;
    });
    return { ...p, objectives, novelty };
  }
}
