/**
 * What each metric means and its unit: for `chipdse metrics`, and for anyone writing a space's
 * constraints and objectives. Keyed by every metric name, so a new metric cannot go undocumented.
 */
import type { MetricName } from './metrics.js';

export interface MetricDoc {
  unit: string;
  what: string;
}

export const METRIC_DOCS: Record<MetricName, MetricDoc> = {
  tokensPerSec: { unit: 'tokens/s', what: 'tokens the whole system produces per second: output tokens serving, input tokens in prefill, all tokens training' },
  latencySec: { unit: 's', what: 'time of one request (serving: prefill and all its output tokens) or one training step' },
  ttftSec: { unit: 's', what: 'time to first token: the prefill of one request' },
  tpotSec: { unit: 's', what: 'time per output token: a decode step at the mean context' },
  stepTimeSec: { unit: 's', what: 'training: time of one optimizer step' },
  mfu: { unit: 'fraction', what: 'model FLOPs utilization: model FLOPs per second over the chips\' peak in the compute format' },
  batch: { unit: 'sequences', what: 'sequences in flight over the whole system (the one "auto" chose, when it chose)' },
  energyJPerToken: { unit: 'J', what: 'energy per token, all chips: the sum of energyBreakdownJ' },
  powerW: { unit: 'W', what: 'AVERAGE power per chip over the workload\'s cycle (energy / time), static included' },
  peakPowerW: { unit: 'W', what: 'PEAK power per chip: the busiest step\'s power, static included; never above a TDP (steps are slowed to it). Constrain this for what a package can deliver and cool' },
  areaMm2: { unit: 'mm2', what: 'silicon area of the compute dies (I/O dies apart)' },
  costUsd: { unit: '$', what: 'manufacturing cost of one chip: dies, HBM, package by interposer area, assembly losses' },
  tokensPerSecPerW: { unit: 'tokens/s/W', what: 'tokens per second per watt of average chip power' },
  usdPerMTokens: { unit: '$', what: 'MANUFACTURING $ per million tokens: chip manufacturing cost over its lifetime plus electricity, fully busy; a floor, not a price' },
  tcoUsdPerChipHour: { unit: '$', what: 'total cost of ownership of one chip per hour: price, server, network, building, electricity (design tco.*, workload deployment.*)' },
  tcoUsdPerMTokens: { unit: '$', what: 'total cost of ownership per million tokens at the deployment\'s utilization' },
  fits: { unit: 'true/false', what: 'the workload fits in HBM plus the DRAM tier (1 or 0 in constraints)' },
  hbmUsedBytes: { unit: 'bytes', what: 'HBM used per chip' },
  memoryBytesPerChip: { unit: 'bytes', what: 'memory needed per chip: weights, KV cache, activations, optimizer state' },
  quantizationSnrDb: { unit: 'dB', what: 'signal-to-quantization-noise ratio of the weights\' number format' },
  interruptionIntervalHours: { unit: 'h', what: 'mean time between interruptions of all the workload\'s chips' },
  goodput: { unit: 'fraction', what: 'training: share of wall time that advances training after checkpoints and restarts (1 serving)' },
  checkpointIntervalSec: { unit: 's', what: 'training: Young/Daly optimal checkpoint interval' },
  tokensPerSecPerUser: { unit: 'tokens/s', what: 'serving: output tokens per second each request sees (1 / TPOT)' },
  tokensPerSecPerChip: { unit: 'tokens/s', what: 'throughput per chip of the system (a disaggregated prefill pool included)' },
  ttftP90Sec: { unit: 's', what: 'serving: 90th-percentile time to first token from the queueing model (the mean where it gives no spread)' },
  'energyBreakdownJ.compute': { unit: 'J', what: 'energy per token in arithmetic (matrix, vector, block scaling)' },
  'energyBreakdownJ.sram': { unit: 'J', what: 'energy per token moving data in on-chip SRAM' },
  'energyBreakdownJ.hbm': { unit: 'J', what: 'energy per token moving data to and from HBM (and a DRAM tier)' },
  'energyBreakdownJ.interconnect': { unit: 'J', what: 'energy per token on chip-to-chip links' },
  'energyBreakdownJ.static': { unit: 'J', what: 'static (leakage) energy per token' },
};
