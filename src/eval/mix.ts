import type { Chip } from '../chip/chip.js';
import type { Workload } from '../workload/workload.js';
import { ENERGY_PARTS, totalEnergy, zeroEnergy, type Evaluation, type Metrics } from './types.js';

/** One part of a mix, evaluated on its own. */
export interface MixComponent {
  workload: string;
  weight: number;
  evaluation: Evaluation;
}

/**
 * A weighted mix of workloads sharing the chips' time: throughput, average power and MFU are
 * time-weighted, peak power is the highest part's; energy per token and $ per token follow from
 * them (token-weighted); TTFT, TPOT, latency and step time are the worst over the parts that
 * have them; memory the largest; quality and reliability the lowest; the mix fits when every part
 * does.
 */
export function combineMix(chip: Chip, w: Workload, components: MixComponent[]): Evaluation {
  const sumW = (f: (m: Metrics) => number) => components.reduce((a, c) => a + c.weight * f(c.evaluation.metrics), 0);
  const maxOf = (f: (m: Metrics) => number) => Math.max(0, ...components.map((c) => f(c.evaluation.metrics)));
  const tokensPerSec = sumW((m) => m.tokensPerSec);
  const powerW = sumW((m) => m.powerW);
  // Joules per second of each part, time-weighted, over tokens per second.
  const breakdown = zeroEnergy();
  for (const k of ENERGY_PARTS) breakdown[k] = tokensPerSec > 0 ? sumW((m) => m.energyBreakdownJ[k] * m.tokensPerSec) / tokensPerSec : 0;
  const first = components[0].evaluation.metrics;
  const metrics: Metrics = {
    ...first,
    tokensPerSec,
    powerW,
    peakPowerW: maxOf((m) => m.peakPowerW),
    latencySec: maxOf((m) => m.latencySec),
    ttftSec: maxOf((m) => m.ttftSec),
    tpotSec: maxOf((m) => m.tpotSec),
    stepTimeSec: maxOf((m) => m.stepTimeSec),
    mfu: sumW((m) => m.mfu),
    batch: maxOf((m) => m.batch),
    energyBreakdownJ: breakdown,
    energyJPerToken: totalEnergy(breakdown),
    tokensPerSecPerW: tokensPerSec > 0 && powerW > 0 ? sumW((m) => m.tokensPerSecPerW * m.powerW) / powerW : 0,
    usdPerMTokens: tokensPerSec > 0 ? sumW((m) => m.usdPerMTokens * m.tokensPerSec) / tokensPerSec : 0,
    tcoUsdPerChipHour: sumW((m) => m.tcoUsdPerChipHour),
    tcoUsdPerMTokens: tokensPerSec > 0 ? sumW((m) => m.tcoUsdPerMTokens * m.tokensPerSec) / tokensPerSec : 0,
    fits: components.every((c) => c.evaluation.metrics.fits),
    hbmUsedBytes: maxOf((m) => m.hbmUsedBytes),
    memoryBytesPerChip: maxOf((m) => m.memoryBytesPerChip),
    quantizationSnrDb: Math.min(...components.map((c) => c.evaluation.metrics.quantizationSnrDb)),
    interruptionIntervalHours: Math.min(...components.map((c) => c.evaluation.metrics.interruptionIntervalHours)),
    goodput: sumW((m) => m.goodput),
    checkpointIntervalSec: maxOf((m) => m.checkpointIntervalSec),
    tokensPerSecPerUser: Math.min(...components.map((c) => (c.evaluation.metrics.tokensPerSecPerUser > 0 ? c.evaluation.metrics.tokensPerSecPerUser : Infinity))),
    tokensPerSecPerChip: sumW((m) => m.tokensPerSecPerChip),
    ttftP90Sec: maxOf((m) => m.ttftP90Sec),
  };
  if (!Number.isFinite(metrics.tokensPerSecPerUser)) metrics.tokensPerSecPerUser = 0;
  const reasons = components.flatMap((c) => c.evaluation.reasons.map((r) => `${c.workload}: ${r}`));
  return { design: chip.name, workload: w.name, feasible: reasons.length === 0, reasons, metrics, memory: undefined, phases: [], components };
}
