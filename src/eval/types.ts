import type { FormatName } from '../precision/formats.js';
import type { StepKind } from '../workload/step.js';

export type Bound = 'compute' | 'memory' | 'interconnect' | 'power';

/** Energy by where it is spent, joules. The five parts add up to the total. */
export interface EnergyBreakdown {
  compute: number;
  sram: number;
  hbm: number;
  interconnect: number;
  static: number;
}

export const ENERGY_PARTS = ['compute', 'sram', 'hbm', 'interconnect', 'static'] as const;

export function zeroEnergy(): EnergyBreakdown {
  return { compute: 0, sram: 0, hbm: 0, interconnect: 0, static: 0 };
}

/** Joules spent by activity (everything but static power). */
export function dynamicEnergy(e: EnergyBreakdown): number {
  return e.compute + e.sram + e.hbm + e.interconnect;
}

export function totalEnergy(e: EnergyBreakdown): number {
  return dynamicEnergy(e) + e.static;
}

/**
 * Adds the dynamic parts of `e`, times `scale`, into `into`. Static energy is left out: it is
 * charged by wall time (a phase's, a cycle's), never summed from the parts that overlap in it.
 */
export function addDynamicEnergy(into: EnergyBreakdown, e: EnergyBreakdown, scale = 1): void {
  into.compute += e.compute * scale;
  into.sram += e.sram * scale;
  into.hbm += e.hbm * scale;
  into.interconnect += e.interconnect * scale;
}

/** One step's cost on one chip, all repeats included. */
export interface StepCost {
  name: string;
  kind: StepKind;
  repeat: number;
  part: 'forward' | 'backward' | 'optimizer' | undefined;
  timeSec: number;
  computeSec: number;
  sramSec: number;
  hbmSec: number;
  dramSec: number;
  commSec: number;
  boundBy: Bound;
  macs: number;
  vectorFlops: number;
  sramBytes: number;
  hbmBytes: number;
  dramBytes: number;
  linkBytes: number;
  computeFormat: FormatName | undefined;
  /** FLOPs per byte of off-chip (HBM + DRAM) traffic: the step's place on a roofline. */
  arithmeticIntensity: number;
  /** Dynamic energy; static power is charged per phase, by time. */
  energyJ: EnergyBreakdown;
}

/** A phase (prefill, one decode step, a training step) on one chip. */
export interface PhaseCost {
  phase: string;
  /** Sequences per micro-batch the phase's step list was built for. */
  batch: number;
  timeSec: number;
  /** Communication time not hidden behind computation. */
  exposedCommSec: number;
  energyJ: EnergyBreakdown;
  boundBy: Bound;
  /** Time on the critical path by what bounded it. */
  timeByBound: Record<Bound, number>;
  /**
   * Power of the phase's most power-hungry step, static included: what the package must deliver
   * and cool at the worst moment (never above a design's TDP, which slows such a step down).
   */
  peakPowerW: number;
  /** Every step's cost; empty when evaluated without detail (search). */
  steps: StepCost[];
}

export interface MemoryFootprint {
  weightsBytes: number;
  kvCacheBytes: number;
  activationBytes: number;
  gradientBytes: number;
  optimizerBytes: number;
  drafterBytes: number;
  /** HBM a serving engine leaves free (1 - memoryUtilization): CUDA context, communication buffers, fragmentation. */
  reservedBytes: number;
  totalBytes: number;
  hbmBytes: number;
  dramBytes: number;
  /** Share of the weights that live in the DRAM tier because HBM is full. */
  weightsInDramFraction: number;
  /** Of which: share of the MoE routed experts (spilled first), and of the other weights. */
  expertsInDramFraction: number;
  denseInDramFraction: number;
  /** Weights small enough to stay in on-chip SRAM across steps. */
  weightsInSram: boolean;
}

/** The metrics a search can constrain or optimise; every value finite. */
export interface Metrics {
  tokensPerSec: number;
  latencySec: number;
  ttftSec: number;
  tpotSec: number;
  stepTimeSec: number;
  mfu: number;
  batch: number;
  energyJPerToken: number;
  energyBreakdownJ: EnergyBreakdown;
  /** Average power per chip over the workload's cycle (energy / time), static included. */
  powerW: number;
  /** Peak power per chip: the highest step's power, static included (within the TDP, when the design has one). */
  peakPowerW: number;
  areaMm2: number;
  costUsd: number;
  tokensPerSecPerW: number;
  /** Manufacturing $ per million tokens: chip manufacturing cost over its lifetime plus electricity, at full utilization (src/eval/tco.ts). */
  usdPerMTokens: number;
  /** Total cost of ownership of one chip per hour: price, server, network, building, electricity (src/eval/tco.ts). */
  tcoUsdPerChipHour: number;
  /** Total cost of ownership per million tokens, at the deployment's utilization. */
  tcoUsdPerMTokens: number;
  boundBy: Bound;
  fits: boolean;
  hbmUsedBytes: number;
  memoryBytesPerChip: number;
  quantizationSnrDb: number;
  /** Mean time between interruptions of all the workload's chips, hours. */
  interruptionIntervalHours: number;
  /** Fraction of wall time that advances training once checkpoints and restarts are paid (1 when serving). */
  goodput: number;
  /** Young/Daly optimal checkpoint interval (training), seconds. */
  checkpointIntervalSec: number;
  /** Serving: output tokens per second each request sees (1 / TPOT); 0 otherwise. */
  tokensPerSecPerUser: number;
  /** Throughput per chip of the system (prefill pool included when disaggregated). */
  tokensPerSecPerChip: number;
  /** Serving: 90th-percentile TTFT from the queueing model (the mean where the model gives no spread). */
  ttftP90Sec: number;
}

/** Which limit set a serving workload's concurrency. */
export const CONCURRENCY_LIMITS = ['fixed', 'memory', 'ttft', 'ttft p90', 'tpot', 'token budget', 'arrival rate', 'search bound'] as const;
export type ConcurrencyLimit = (typeof CONCURRENCY_LIMITS)[number];

/** How a serving engine ran, beside the metrics: the schedule and what chose its concurrency. */
export interface ServingReport {
  /** Sequences in flight per replica. */
  concurrency: number;
  /** The most sequences per replica that fit in memory. */
  memoryLimit: number;
  /** What stopped the concurrency from going higher (or 'fixed' when the workload gives it). */
  limitedBy: ConcurrencyLimit;
  regime: string;
  mixedIterationSec: number;
  decodeIterationSec: number;
  mixedPerCycle: number;
  decodeOnlyPerCycle: number;
  disaggregated?: DisaggregatedReport;
}

export interface DisaggregatedReport {
  prefillDesign: string;
  prefillChipsPerInstance: number;
  /** Prefill instances per decode instance that balance the two pools' request rates. */
  prefillInstancesPerDecodeInstance: number;
  prefillConcurrency: number;
  prefillTtftSec: number;
  kvBytesPerRequest: number;
  kvTransferSec: number;
}

export interface Evaluation {
  design: string;
  workload: string;
  feasible: boolean;
  reasons: string[];
  metrics: Metrics;
  memory: MemoryFootprint | undefined;
  phases: PhaseCost[];
  components?: { workload: string; weight: number; evaluation: Evaluation }[];
  serving?: ServingReport;
}

/** One concurrency of a serving curve: what the system makes per chip, and what each request sees. */
export interface ServingCurvePoint {
  /** Sequences in flight per replica. */
  concurrency: number;
  tokensPerSec: number;
  tokensPerSecPerChip: number;
  /** Output tokens per second each request sees (1 / TPOT). */
  tokensPerSecPerUser: number;
  ttftSec: number;
  tpotSec: number;
  ttftP90Sec: number;
  energyJPerToken: number;
  /** Meets the workload's SLOs (and fits). */
  feasible: boolean;
}

/**
 * A serving workload on one design across concurrency: the trade-off between throughput per chip
 * and speed per user that serving engineers compare systems by.
 */
export interface ServingCurve {
  design: string;
  workload: string;
  points: ServingCurvePoint[];
  /** The concurrency "auto" picks (the highest meeting the SLOs), if any does. */
  chosen: number | undefined;
  memoryLimit: number;
  limitedBy: ConcurrencyLimit;
}

/** Metric names a space may constrain or optimise: the numeric and boolean fields of Metrics, and the energy parts. */
export const METRIC_NAMES = [
  'tokensPerSec', 'latencySec', 'ttftSec', 'tpotSec', 'stepTimeSec', 'mfu', 'batch', 'energyJPerToken',
  'powerW', 'peakPowerW', 'areaMm2', 'costUsd', 'tokensPerSecPerW', 'usdPerMTokens', 'tcoUsdPerChipHour', 'tcoUsdPerMTokens', 'fits', 'hbmUsedBytes',
  'memoryBytesPerChip', 'quantizationSnrDb', 'interruptionIntervalHours', 'goodput', 'checkpointIntervalSec',
  'tokensPerSecPerUser', 'tokensPerSecPerChip', 'ttftP90Sec',
  'energyBreakdownJ.compute', 'energyBreakdownJ.sram', 'energyBreakdownJ.hbm', 'energyBreakdownJ.interconnect', 'energyBreakdownJ.static',
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

/** Reads a metric by name; booleans read as 1/0. */
export function metricValue(m: Metrics, name: MetricName): number {
  if (name.startsWith('energyBreakdownJ.')) return m.energyBreakdownJ[name.slice('energyBreakdownJ.'.length) as keyof EnergyBreakdown];
  const v = (m as unknown as Record<string, number | boolean | string>)[name];
  return typeof v === 'boolean' ? (v ? 1 : 0) : (v as number);
}

/** The bound with the most time; ties go to the earlier of compute, memory, interconnect, power. */
export function largestBound(compute: number, memory: number, interconnect: number, power: number): Bound {
  let best: Bound = 'compute';
  let most = compute;
  if (memory > most) {
    best = 'memory';
    most = memory;
  }
  if (interconnect > most) {
    best = 'interconnect';
    most = interconnect;
  }
  if (power > most) best = 'power';
  return best;
}
