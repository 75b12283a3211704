import type { Chip } from '../chip/chip.js';
import { ChipdseError } from '../errors.js';
import type { Workload } from '../workload/workload.js';
import { ChipContext } from './context.js';
import { evaluate } from './evaluate.js';
import { concurrencyBound } from './serving-search.js';
import type { Evaluation, ServingCurve, ServingCurvePoint } from './types.js';

/** Concurrencies a curve visits: 1, 2, 3, 4, 6, 8, 12, 16, ... (two per octave) up to `max`, and `max`. */
export function curveConcurrencies(min: number, max: number): number[] {
  const out = new Set<number>();
  for (let k = 0; ; k++) {
    const base = 2 ** Math.floor(k / 2);
    const c = k % 2 === 0 ? base : Math.round(base * 1.5);
    if (c > max) break;
    if (c >= min) out.add(c);
  }
  out.add(max);
  return [...out].sort((a, b) => a - b);
}

function point(e: Evaluation): ServingCurvePoint {
  const m = e.metrics;
  return {
    concurrency: e.serving?.concurrency ?? m.batch,
    tokensPerSec: m.tokensPerSec,
    tokensPerSecPerChip: m.tokensPerSecPerChip,
    tokensPerSecPerUser: m.tokensPerSecPerUser,
    ttftSec: m.ttftSec,
    tpotSec: m.tpotSec,
    ttftP90Sec: m.ttftP90Sec,
    energyJPerToken: m.energyJPerToken,
    feasible: e.feasible,
  };
}

/**
 * The serving curve of a workload on a design: the workload evaluated at each concurrency from the
 * pipeline depth to the most that fit (or the token budget allows), two points per octave, plus
 * the concurrency "auto" chooses. A disaggregated workload varies its decode pool's concurrency
 * (its prefill pool balanced at each). An open loop has no concurrency to vary.
 */
export function servingCurve(chip: Chip, w: Workload): ServingCurve {
  if (w.phase === 'train' || !w.model) throw new ChipdseError(`${w.name}: a serving curve needs a serving workload of a model (phase serve, prefill or decode)`);
  if (w.serving.arrivalRatePerSec !== undefined) throw new ChipdseError(`${w.name}: a serving curve varies the concurrency; an open loop (serving.arrivalRatePerSec) sets it`);
  const cx = new ChipContext(chip);
  const decodeOf = w.serving.disaggregated ? { ...w, phase: 'decode' as const } : w;
  const bound = concurrencyBound(cx, decodeOf);
  const auto = evaluate(chip, { ...w, batch: 'auto' }, { detail: false });
  const chosen = auto.feasible ? auto.serving?.concurrency : undefined;
  const cs = curveConcurrencies(w.parallelism.pipeline, Math.max(w.parallelism.pipeline, bound.max));
  if (chosen !== undefined && !cs.includes(chosen)) cs.push(chosen);
  cs.sort((a, b) => a - b);
  const points = cs.map((c) => point(evaluate(chip, { ...w, batch: c }, { detail: false })));
  return { design: chip.name, workload: w.name, points, chosen, memoryLimit: auto.serving?.memoryLimit ?? bound.max, limitedBy: auto.serving?.limitedBy ?? bound.limitedBy };
}
