import type { FormatName } from '../precision/formats.js';
import { decodeLane, type ComputeLaw, type DecodeAttentionLaw, type KernelParams, type StreamLaw } from './params.js';
import type { KernelWork } from './work.js';

/**
 * The kernel efficiency laws: time of one kernel call from its work (src/kernels/work.ts), the
 * chip's own features and the fitted parameters. Pure functions, closed form; every term is a
 * physical bound (compute, SRAM, HBM, DRAM) that the model never beats: efficiencies are at most 1,
 * padding and waves only add work, and the overlap p-norm is at least the largest term.
 */
export interface KernelChip {
  peakMacsPerSec: Partial<Record<FormatName, number>>;
  vectorFlopsPerSec: number;
  sramBytesPerSec: number;
  hbmBytesPerSec: number;
  dramBytesPerSec: number;
}

/** The parts of a kernel's time, seconds (computeSec includes vector work). */
export interface KernelTimes {
  computeSec: number;
  sramSec: number;
  hbmSec: number;
  dramSec: number;
  /** Launch plus the overlapped parts. */
  timeSec: number;
}

export function newTimes(): KernelTimes {
  return { computeSec: 0, sramSec: 0, hbmSec: 0, dramSec: 0, timeSec: 0 };
}

/**
 * How far a kernel splits its inner loop to fill the units when it has fewer work items than
 * units (split-K / stream-K): as many splits as idle units allow, each at least one tile deep, and
 * at most `maxSplits` (the libraries' split-K heuristics stop well short of filling every unit: a
 * GEMM of a few tiles and a long K runs its K loop nearly serially).
 */
export function loopSplits(items: number, units: number, loopDepth: number, tile: number, maxSplits = Infinity): number {
  if (items >= units) return 1;
  return Math.max(1, Math.min(Math.floor(units / items), Math.floor(loopDepth / tile), maxSplits));
}

/**
 * Compute time of a tiled kernel: padded MACs at the lane's efficiency, times the wave
 * quantization of its work items over the matrix units and the inner-loop fill and drain.
 */
export function tiledComputeSec(w: KernelWork, peakMacsPerSec: number, law: ComputeLaw, efficiencyScale = 1): number {
  if (w.paddedMacs <= 0) return 0;
  const slots = Math.max(1, w.units / law.unitsPerItem);
  const splits = loopSplits(w.items, slots, w.loopDepth, w.tile, law.maxSplits);
  const waves = (w.items * splits) / slots;
  const waveFactor = 1 - law.waveWeight + (law.waveWeight * Math.ceil(waves)) / waves;
  const loopFactor = w.loopDepth > 0 ? 1 + (law.kOverhead * splits) / w.loopDepth : 1;
  return (w.paddedMacs * waveFactor * loopFactor) / (peakMacsPerSec * law.efficiency * efficiencyScale);
}

/**
 * How a decode-attention kernel splits each sequence's KV read over the cores (TensorRT-LLM's XQA
 * "multi-block mode", the split the measured Hopper and A100 rows follow; flash-decoding splits
 * likewise): chunks of at least DECODE_SPLIT_MIN_TOKENS tokens, at most round(sqrt(8 x chunks)) of
 * them (every split adds a partial output to reduce, so the reduction grows with the split while
 * each split's read shrinks: the optimum goes as the square root), and no more than fill
 * DECODE_SPLIT_TARGET_WAVES waves of the cores with all the streams' splits. Constants from
 * TensorRT-LLM (NVIDIA/TensorRT-LLM, Apache-2.0): kMinHistoryTokensPerBlock = 128 and
 * kTargetWaveFactor = 8 in cpp/tensorrt_llm/kernels/decoderMaskedMultiheadAttention/
 * decoderXQAConstants.h; the square-root cap in computeMultiBlockCount, decoderXQAImplCommon.h.
 */
export const DECODE_SPLIT_MIN_TOKENS = 128;
export const DECODE_SPLIT_TARGET_WAVES = 8;
const DECODE_SPLIT_REDUCTION = 8;

/** Splits per KV stream of a decode read of `tokens` KV tokens per sequence, `streams` sequences x KV heads, over `cores` cores (see above). */
export function decodeSplits(tokens: number, streams: number, cores: number): number {
  let n = Math.max(1, Math.floor(tokens / DECODE_SPLIT_MIN_TOKENS));
  n = Math.max(1, Math.min(n, Math.round(Math.sqrt(n * DECODE_SPLIT_REDUCTION))));
  const waves = (streams * n) / cores;
  if (waves > DECODE_SPLIT_TARGET_WAVES) n = Math.max(1, Math.floor(n / (waves / DECODE_SPLIT_TARGET_WAVES)));
  return n;
}

/** Share of the HBM bandwidth a decode-attention read reaches with `items` work items spread over `cores` cores. */
export function decodeUtilization(items: number, cores: number, law: DecodeAttentionLaw): number {
  const x = items / (cores * law.occupancy);
  return x / (1 + x);
}

/**
 * x^p for a whole p from 1 to 8, by multiplication (the overlap p-norm runs for every step of a
 * search): above 4, x^4 times x^(p - 4) (the 8-bit decode-attention law has p = 8). Written out to
 * 8 (the bound of the fitted p, COMPUTE_LAW_BOUNDS), so that no call recurses: the optimizer does
 * not inline a recursive call, and one left out of line boxes its argument and its result.
 */
function wholePower(x: number, p: number): number {
  const x2 = x * x;
  switch (p) {
    case 1:
      return x;
    case 2:
      return x2;
    case 3:
      return x2 * x;
    case 4:
      return x2 * x2;
    case 5:
      return x2 * x2 * x;
    case 6:
      return x2 * x2 * x2;
    case 7:
      return x2 * x2 * (x2 * x);
    case 8:
      return x2 * x2 * (x2 * x2);
    default:
      return x2 * x2 * wholePower(x, p - 4);
  }
}

/**
 * (a^p + b^p + c^p + d^p + e^p)^(1/p) for non-negative parts and a whole p: at least the largest,
 * at most their sum.
 */
export function overlapSec(a: number, b: number, c: number, d: number, e: number, p: number): number {
  // The shipped laws' usual p (3: the bf16 and fp8-block GEMM lanes; 2: the others) written out,
  // as wholePower takes them (x2 x, x2), in a function small enough for the optimizer to inline
  // into the step loop: a call left out of line boxes its arguments and its result (a heap number
  // each), and so did each wholePower call it made.
  if (p !== 3 && p !== 2) return pNorm(a, b, c, d, e, p);
  const m = Math.max(a, b, c, d, e);
  if (m <= 0) return 0;
  // A part that is zero adds +0 (most steps have no DRAM or vector time); no part is negative.
  const ra = a / m;
  const rb = b / m;
  const rc = c / m;
  const rd = d / m;
  const re = e / m;
  if (p === 3) {
    const s = ra * ra * ra + rb * rb * rb + rc * rc * rc + rd * rd * rd + re * re * re;
    // The cube root by its own function: s ** (1 / 3) raises to the double nearest 1/3 (the two
    // differ in the last bit for ~15% of s), and takes three times as long.
    return s === 1 ? m * s : m * Math.cbrt(s);
  }
  const s = ra * ra + rb * rb + rc * rc + rd * rd + re * re;
  return s === 1 ? m * s : m * Math.sqrt(s);
}

/** overlapSec for any whole p (the same sums and roots: p = 2 and 3 give overlapSec's bits). */
function pNorm(a: number, b: number, c: number, d: number, e: number, p: number): number {
  const m = Math.max(a, b, c, d, e);
  if (m <= 0) return 0;
  // Terms that are zero add nothing.
  let s = 0;
  if (a > 0) s += wholePower(a / m, p);
  if (b > 0) s += wholePower(b / m, p);
  if (c > 0) s += wholePower(c / m, p);
  if (d > 0) s += wholePower(d / m, p);
  if (e > 0) s += wholePower(e / m, p);
  if (s === 1 || p === 1) return m * s;
  return m * (p === 2 ? Math.sqrt(s) : p === 3 ? Math.cbrt(s) : p === 4 ? Math.sqrt(Math.sqrt(s)) : s ** (1 / p));
}

function streamTimes(chip: KernelChip, w: KernelWork, law: StreamLaw, out: KernelTimes): void {
  out.computeSec = w.vectorFlops / chip.vectorFlopsPerSec;
  out.sramSec = w.sram / chip.sramBytesPerSec;
  out.hbmSec = w.hbm / (chip.hbmBytesPerSec * law.hbmEfficiency);
  out.dramSec = w.dram > 0 ? w.dram / chip.dramBytesPerSec : 0;
  const busy = Math.max(out.computeSec, out.sramSec, out.hbmSec, out.dramSec);
  out.timeSec = busy > 0 ? law.launchSec + busy : 0;
}

/**
 * Time of one call of a compute or memory kernel (collectives are timed by the interconnect
 * model; a 'collective' or 'host' work only gets its memory parts here, without a launch).
 */
export function kernelTimes(chip: KernelChip, format: FormatName | undefined, w: KernelWork, params: KernelParams, out: KernelTimes, peakMacsPerSec?: number): void {
  // No work, no kernel: nothing is launched (a serving iteration without decoders has an empty decode-attention step).
  if (w.paddedMacs <= 0 && w.vectorFlops <= 0 && w.sram <= 0 && w.hbm <= 0 && w.dram <= 0) {
    out.computeSec = out.sramSec = out.hbmSec = out.dramSec = out.timeSec = 0;
    return;
  }
  out.sramSec = w.sram / chip.sramBytesPerSec;
  out.dramSec = w.dram > 0 ? w.dram / chip.dramBytesPerSec : 0;
  // The caller may pass the format's peak, looked up once per chip (the evaluator does).
  const peak = peakMacsPerSec ?? (format ? (chip.peakMacsPerSec[format] ?? 0) : 0);
  switch (w.kernel) {
    case 'gemm':
    case 'grouped-gemm':
    case 'attention-prefill': {
      const law = w.kernel === 'attention-prefill' ? params.attention.prefill : params.gemm[w.lane];
      const grouped = w.kernel === 'grouped-gemm';
      const matrixSec = tiledComputeSec(w, peak, law, grouped ? params.moe.efficiency : 1);
      const vectorSec = w.vectorFlops / (chip.vectorFlopsPerSec * law.vectorEfficiency);
      out.computeSec = matrixSec + vectorSec;
      out.hbmSec = w.hbm / (chip.hbmBytesPerSec * law.hbmEfficiency);
      const launch = grouped ? params.moe.launchSec : law.launchSec;
      out.timeSec = launch + overlapSec(matrixSec, vectorSec, out.sramSec, out.hbmSec, out.dramSec, law.overlap);
      return;
    }
    case 'attention-decode': {
      const law = params.attention.decode[decodeLane(w.kvValueBytes)];
      const items = w.kvStreams * decodeSplits(w.loopDepth, w.kvStreams, w.cores);
      const vectorSec = w.vectorFlops / chip.vectorFlopsPerSec;
      // An item runs on one core: its MACs, vector work and fixed work (load Q, rescale, write its
      // partial output, from on-chip memory) at that core's share of the chip's rates. The items
      // are spread over the cores; with fewer items than cores, the idle cores do not help.
      const itemBytes = (w.groupRows > 1 ? law.itemBytes * law.groupedItemFactor : law.itemBytes) + law.rowFactor * w.rowBytes;
      const idle = items < w.cores ? w.cores / items : 1;
      // A share of the items' fixed work is paid before and after each item's read, not under it (exposedItemShare).
      const itemSec = (items * itemBytes) / chip.sramBytesPerSec;
      const exposedSec = law.exposedItemShare * itemSec * idle;
      out.computeSec = (w.macs > 0 ? (w.macs * idle) / (peak * law.efficiency) : 0) + (1 - law.exposedItemShare) * itemSec + vectorSec;
      out.hbmSec = w.hbm / (chip.hbmBytesPerSec * law.hbmEfficiency * decodeUtilization(items, w.cores, law));
      out.timeSec = (w.groupRows > 1 && !w.separateRope ? law.groupedLaunchSec : law.launchSec) + exposedSec + overlapSec(out.computeSec, 0, out.sramSec, out.hbmSec, out.dramSec, law.overlap);
      return;
    }
    case 'stream':
      streamTimes(chip, w, params.elementwise, out);
      return;
    case 'collective':
    case 'host':
      out.computeSec = w.vectorFlops / chip.vectorFlopsPerSec;
      out.hbmSec = w.hbm / (chip.hbmBytesPerSec * params.elementwise.hbmEfficiency);
      out.timeSec = Math.max(out.computeSec, out.sramSec, out.hbmSec, out.dramSec);
      return;
  }
}
