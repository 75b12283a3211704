import { quantizationSnrDb, type FormatName } from '../precision/formats.js';
import type { Chip } from '../chip/chip.js';
import type { Workload } from '../workload/workload.js';
import { goodputOf, reliabilityFigures } from '../reliability/reliability.js';
import type { ChipContext } from './context.js';
import type { Placement } from './step-cost.js';
import { tcoPerChipHour, usdPerChipSecond, usdPerMTokensAt } from './tco.js';
import { dynamicEnergy, largestBound, totalEnergy, type Bound, type EnergyBreakdown, type MemoryFootprint, type Metrics, type PhaseCost } from './types.js';

/** What a phase model hands to the common metric code: one "cycle" of the system's work. */
export interface CycleResult {
  phases: PhaseCost[];
  /** Wall time of one cycle of a replica (prefill + decode of its batch, or one training step). */
  cycleSec: number;
  /** Dynamic energy per chip over one cycle. */
  dynamicJ: EnergyBreakdown;
  /** Tokens the whole system produces per cycle (output tokens serving, input tokens prefill/train). */
  tokensPerCycle: number;
  ttftSec: number;
  tpotSec: number;
  latencySec: number;
  stepTimeSec: number;
  /** Model FLOPs per cycle, the numerator of MFU. */
  modelFlops: number;
  computeFormat: FormatName;
  boundBy: Bound;
  /** Time to write a checkpoint (training), 0 when serving. */
  checkpointSec: number;
  /** Serving: the schedule the cycle ran. */
  serving?: ServingFigures;
}

/** What a serving cycle adds: its schedule, and why its concurrency cannot run, if it cannot. */
export interface ServingFigures {
  regime: string;
  ttftP90Sec: number;
  /** Time of one iteration with a prefill chunk, and of one with decode tokens only (0 when none run). */
  mixedIterationSec: number;
  decodeIterationSec: number;
  mixedPerCycle: number;
  decodeOnlyPerCycle: number;
  problem: string | undefined;
  /** Sequences the engine runs at once (fewer than the clients when their KV caches do not all fit: the rest queue). */
  admitted?: number;
}

/**
 * The cycle of one replica at a batch (for serving: sequences in flight per replica, times the
 * data-parallel replicas), given where the weights are. `detail` keeps every step's cost in the
 * phases (reports); a search asks without.
 */
export type CycleFn = ((batch: number, placement: Placement, detail: boolean) => CycleResult) & {
  /** The cycle's latencies alone, equal to its result's (a concurrency search's probes need no more), where the model offers them: a record the next call may write over, so read it first. */
  latencies?: (batch: number, placement: Placement) => CycleLatencies;
};

/** What a concurrency search reads of a cycle: its latencies, and why it cannot run, if it cannot. */
export interface CycleLatencies {
  ttftSec: number;
  tpotSec: number;
  /** The 90th-percentile TTFT (the TTFT where the cycle has no spread). */
  ttftP90Sec: number;
  problem: string | undefined;
}

/**
 * A model of one kind of work (serving, training): what it keeps in memory at a batch, and the
 * cycle it runs. `cycles` starts one sweep over batches of one workload on one chip; the function
 * it returns may reuse work between the batches it is asked about (a request's TTFT, say).
 * A new serving model (continuous batching, disaggregated pools) implements this interface.
 */
export interface PhaseModel {
  memory(cx: ChipContext, w: Workload, batch: number): MemoryFootprint;
  cycles(cx: ChipContext, w: Workload): CycleFn;
}

/** The format the model's matrix products run in (activations x weights), for MFU's peak. */
export function computeFormatOf(cx: ChipContext, w: Workload): FormatName {
  return cx.select(w.precision.activations, w.precision.weights)?.format ?? 'bf16';
}

/** The bound with the most time over phases, each phase's time by bound scaled to `weights[i]` seconds when given. */
export function dominantBound(phases: PhaseCost[], weights?: number[]): Bound {
  let compute = 0;
  let memory = 0;
  let interconnect = 0;
  let power = 0;
  for (let i = 0; i < phases.length; i++) {
    const ph = phases[i];
    const scale = weights && ph.timeSec > 0 && i < weights.length ? weights[i] / ph.timeSec : 1;
    compute += ph.timeByBound.compute * scale;
    memory += ph.timeByBound.memory * scale;
    interconnect += ph.timeByBound.interconnect * scale;
    power += ph.timeByBound.power * scale;
  }
  return largestBound(compute, memory, interconnect, power);
}

/** Where a cycle ran: the batch, the chips it ran on, its memory and whether that fits. */
export interface CycleSetting {
  batch: number;
  chips: number;
  memory: MemoryFootprint;
  fits: boolean;
}

/** The metrics of a cycle: rates, energy per token by part, power, cost, reliability. */
export function finishMetrics(chip: Chip, w: Workload, r: CycleResult, at: CycleSetting): Metrics {
  const { batch, chips, memory: mem, fits } = at;
  const tokensPerSec = r.cycleSec > 0 ? r.tokensPerCycle / r.cycleSec : 0;
  const dynamicW = r.cycleSec > 0 ? dynamicEnergy(r.dynamicJ) / r.cycleSec : 0;
  const powerW = dynamicW + chip.energy.staticW;
  // The average cannot exceed the peak; it could only by energy the steps do not show (overlapped links).
  let peakPowerW = powerW;
  for (const ph of r.phases) if (ph.peakPowerW > peakPowerW) peakPowerW = ph.peakPowerW;
  const perToken = (j: number) => (r.tokensPerCycle > 0 ? (chips * j) / r.tokensPerCycle : 0);
  const energyBreakdownJ: EnergyBreakdown = {
    compute: perToken(r.dynamicJ.compute),
    sram: perToken(r.dynamicJ.sram),
    hbm: perToken(r.dynamicJ.hbm),
    interconnect: perToken(r.dynamicJ.interconnect),
    static: perToken(chip.energy.staticW * r.cycleSec),
  };
  const energyJPerToken = totalEnergy(energyBreakdownJ);
  const peakFlops = 2 * (chip.peakMacsPerSec[r.computeFormat] ?? 0);
  const mfu = r.cycleSec > 0 && peakFlops > 0 ? r.modelFlops / r.cycleSec / (chips * peakFlops) : 0;
  const usdPerSec = usdPerChipSecond(chip.cost.totalUsd, powerW, w.deployment) * chips;
  const tco = tcoPerChipHour(chip, w.deployment, powerW, peakPowerW);
  const rel = reliabilityFigures({ chips, chipFit: chip.reliability.chipFit, memoryFitPerMbit: chip.reliability.memoryFitPerMbit, memoryBytesPerChip: Math.min(mem.totalBytes, chip.hbmBytes), ecc: chip.ecc });
  const restartSec = w.phase === 'train' ? w.training.restartSec : 0;
  const gp = r.checkpointSec > 0 ? goodputOf(r.checkpointSec, restartSec, rel.interruptionIntervalHours * 3600) : { goodput: 1, checkpointIntervalSec: 0 };
  return {
    tokensPerSec,
    latencySec: r.latencySec,
    ttftSec: r.ttftSec,
    tpotSec: r.tpotSec,
    stepTimeSec: r.stepTimeSec,
    mfu,
    batch,
    energyJPerToken,
    energyBreakdownJ,
    powerW,
    peakPowerW,
    areaMm2: chip.area.totalMm2,
    costUsd: chip.cost.totalUsd,
    tokensPerSecPerW: powerW > 0 ? tokensPerSec / (powerW * chips) : 0,
    usdPerMTokens: tokensPerSec > 0 ? (usdPerSec / tokensPerSec) * 1e6 : 0,
    tcoUsdPerChipHour: tco.totalUsd,
    tcoUsdPerMTokens: usdPerMTokensAt(tco.totalUsd, chips, tokensPerSec, w.deployment.utilization),
    boundBy: r.boundBy,
    fits,
    hbmUsedBytes: mem.hbmBytes,
    memoryBytesPerChip: mem.totalBytes,
    quantizationSnrDb: quantizationSnrDb(w.precision.weights),
    interruptionIntervalHours: Math.min(rel.interruptionIntervalHours, 1e12),
    goodput: gp.goodput,
    checkpointIntervalSec: gp.checkpointIntervalSec,
    tokensPerSecPerUser: r.tpotSec > 0 ? 1 / r.tpotSec : 0,
    tokensPerSecPerChip: chips > 0 ? tokensPerSec / chips : 0,
    ttftP90Sec: r.serving?.ttftP90Sec ?? r.ttftSec,
  };
}
