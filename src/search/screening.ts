import { hypervolume } from '../pareto/index.js';
import type { Prediction } from './surrogate.js';

/**
 * Pre-screening of candidate offspring by a surrogate's predictions: which `count` of them to
 * evaluate. Objectives are scaled by the current front's range (its best at 0, its worst at 1) and
 * scored against a reference at 1.1 in each, the nadir pushed out by a tenth of the range as the
 * quality benchmark's reference is. A candidate's score is its predicted hypervolume improvement
 * over the front and the candidates already picked (so a batch spreads along the front instead of
 * piling onto one gap, the "believer" batch of Ginsbourger et al. 2010), times its predicted chance
 * of being feasible; one predicted to add nothing scores minus the distance it would have to move
 * (the same in every objective) to leave the front's dominated region, so the nearest of them
 * come first when too few promise an improvement. With four or more objectives, where exact
 * hypervolumes cost too much per candidate, every candidate is scored by that distance alone
 * (negated where it already beats the front).
 *
 * Picks are greedy, each the best score given the picks before it; as picks only lower other
 * candidates' scores, a score is recomputed only when it comes out on top (lazy greedy). Ties go to
 * the earlier candidate: the result depends only on the inputs.
 *
 * `believePlain` (0 to 1) moves the point a pick joins the set at from its prediction toward its
 * prediction without the optimism (`Prediction.plain`, where given; scaled space): at 1 a pick made
 * on the optimism's hope alone (a novel design hoped to beat the front in one objective) joins where
 * the fit expects it, usually dominated, so it does not cover the hopes of the other candidates and
 * a batch tries several novel cells instead of one (bench/NOTES.md, "Screening's believer").
 */
export const SCREEN_REFERENCE = 1.1;
/** Objectives beyond which candidates are scored by distance alone (see above). */
const HYPERVOLUME_SCREEN_OBJECTIVES = 3;

export function screen(front: readonly (readonly number[])[], predictions: readonly Prediction[], count: number, believePlain = 0, believe?: (candidate: number, pick: number, current: Prediction) => Prediction | undefined): number[] {
  if (count <= 0 || predictions.length === 0) return [];
  if (front.length === 0) return predictions.map((_, i) => i).slice(0, count);
  const m = front[0].length;
  const lo = Array.from({ length: m }, (_, j) => Math.min(...front.map((p) => p[j])));
  const hi = Array.from({ length: m }, (_, j) => Math.max(...front.map((p) => p[j])));
  const span = lo.map((l, j) => (hi[j] > l ? hi[j] - l : Math.max(Math.abs(l), 1e-12)));
  const scale = (p: readonly number[]) => p.map((v, j) => (v - lo[j]) / span[j]);
  const set: number[][] = front.map(scale);
  const preds = [...predictions];
  const points = predictions.map((p) => scale(p.objectives));
  const ref = new Array<number>(m).fill(SCREEN_REFERENCE);
  const useVolume = m <= HYPERVOLUME_SCREEN_OBJECTIVES;

  const scoreOf = (i: number): number => {
    const p = points[i];
    const feasibility = preds[i].feasibility;
    const gap = escape(p, set);
    if (!useVolume) return -gap - (1 - feasibility);
    if (gap >= 0) return -gap - (1 - feasibility);
    const gain = improvement(p, set, ref);
    return gain > 0 ? feasibility * gain : -(1 - feasibility);
  };
  const score = points.map((_, i) => scoreOf(i));
  const fresh = new Uint8Array(points.length).fill(1);
  const picked = new Uint8Array(points.length);
  const out: number[] = [];
  while (out.length < Math.min(count, points.length)) {
    let best = -1;
    for (let i = 0; i < points.length; i++) if (!picked[i] && (best < 0 || score[i] > score[best])) best = i;
    if (!fresh[best]) {
      score[best] = scoreOf(best);
      fresh[best] = 1;
      continue;
    }
    picked[best] = 1;
    out.push(best);
    const plain = believePlain > 0 ? predictions[best].plain : undefined;
    set.push(plain ? scale(plain).map((v, j) => believePlain * v + (1 - believePlain) * points[best][j]) : points[best]);
    // The candidates' hopes as they would be with the pick evaluated (only ever lower: the lazy greedy holds).
    if (believe)
      for (let i = 0; i < points.length; i++) {
        if (picked[i]) continue;
        const q = believe(i, best, preds[i]);
        if (q) {
          preds[i] = q;
          points[i] = scale(q.objectives);
        }
      }
    fresh.fill(0);
  }
  return out;
}

/**
 * How far `p` must move, by the same amount in every objective, to be dominated by no member of
 * `set`: max over members q of min over objectives of (p - q). Negative when `p` is outside the
 * dominated region already (by that margin).
 */
function escape(p: readonly number[], set: readonly (readonly number[])[]): number {
  let worst = -Infinity;
  for (const q of set) {
    let least = Infinity;
    for (let j = 0; j < p.length; j++) least = Math.min(least, p[j] - q[j]);
    worst = Math.max(worst, least);
  }
  return worst;
}

/** The hypervolume `p` adds to `set` below `ref`: its box less the set's members clipped to it. */
function improvement(p: readonly number[], set: readonly (readonly number[])[], ref: readonly number[]): number {
  let box = 1;
  for (let j = 0; j < p.length; j++) {
    if (!(p[j] < ref[j])) return 0;
    box *= ref[j] - p[j];
  }
  const clipped: number[][] = [];
  for (const q of set) {
    const c = q.map((v, j) => Math.max(v, p[j]));
    if (c.every((v, j) => v < ref[j])) clipped.push(c);
  }
  return Math.max(0, box - hypervolume(clipped, ref));
}
