import { bytesPerValue, scaleFormatOf, type FormatName } from '../precision/formats.js';
import type { Chip } from '../chip/chip.js';
import { collectiveCost } from '../interconnect/collectives.js';
import { gemmLane } from '../kernels/lanes.js';
import { kernelTimes } from '../kernels/time.js';
import { clearWork, type KernelWork } from '../kernels/work.js';
import type { AttentionStep, CollectiveStep, MatmulStep, Step } from '../workload/step.js';
import { contextOf, type ChipContext, type Operands } from './context.js';
import { outputTileSide, SRAM_WORKING_FRACTION } from './sram.js';
import { zeroEnergy, type Bound, type EnergyBreakdown, type StepCost } from './types.js';

/** Where the weights are read from during a phase. */
export interface Placement {
  weightsInSram: boolean;
  /** Shares of the routed experts' weights and of the other weights read from the DRAM tier. */
  expertsInDramFraction: number;
  denseInDramFraction: number;
  /** Chips of the parallel groups nested inside each group, to tell when a group leaves the pod. */
  innerChips: Partial<Record<CollectiveStep['group'], number>>;
}

/**
 * Attention with at most this many new tokens per sequence runs as decode attention (one query
 * tile, memory-bound on the KV read; speculative verification of a few drafted tokens included),
 * more as prefill attention (tiled over the queries, compute-bound).
 */
export const DECODE_ATTENTION_MAX_QUERIES = 16;

const padTo = (x: number, tile: number) => (x <= 0 ? 0 : Math.ceil(x / tile) * tile);

export class StepError extends Error {}

/**
 * One repeat of a step, measured: the kernel work and traffic it causes (KernelWork, which no
 * fitted parameter changes) and what that costs under the chip's kernel laws. `measureStep` fills a
 * caller's scratch object instead of allocating, because a search evaluates millions of steps; a
 * StepCost (all repeats, for reports) is built from it only when details are wanted.
 */
export interface StepScratch extends KernelWork {
  format: FormatName | undefined;
  /** Energy per MAC and peak MACs per second in `format` (set with it). */
  pjPerMac: number;
  peakMacsPerSec: number;
  scalePjPerMac: number;
  linkBytes: number;
  timeSec: number;
  computeSec: number;
  sramSec: number;
  hbmSec: number;
  dramSec: number;
  commSec: number;
  boundBy: Bound;
  eCompute: number;
  eSram: number;
  eHbm: number;
  eInterconnect: number;
}

/** A fresh scratch (one object literal with every field, so that all scratches share one shape). */
export function newScratch(): StepScratch {
  return {
    kernel: 'stream', lane: 'bf16', macs: 0, paddedMacs: 0, items: 0, loopDepth: 0, tile: 1, units: 1, cores: 1, kvStreams: 0, streamBytes: 0, groupRows: 0, rowBytes: 0, kvValueBytes: 2, separateRope: false, vectorFlops: 0, sram: 0, hbm: 0, dram: 0,
    format: undefined, pjPerMac: 0, peakMacsPerSec: 0, scalePjPerMac: 0, linkBytes: 0, timeSec: 0, computeSec: 0, sramSec: 0, hbmSec: 0, dramSec: 0, commSec: 0, boundBy: 'compute', eCompute: 0, eSram: 0, eHbm: 0, eInterconnect: 0,
  };
}

function clear(o: StepScratch): void {
  clearWork(o);
  o.format = undefined;
  o.pjPerMac = 0;
  o.peakMacsPerSec = 0;
  o.scalePjPerMac = 0;
  o.linkBytes = 0;
  o.commSec = 0;
  o.eInterconnect = 0;
}

function matmulTraffic(cx: ChipContext, s: MatmulStep, p: Placement, o: StepScratch, ops: Operands | undefined): void {
  const chip = cx.chip;
  if (!ops) {
    const have = Object.keys(chip.peakMacsPerSec).join(', ');
    throw new StepError(`${chip.name} has no matrix unit that can compute ${s.a.format} x ${s.b.format} (it has ${have})`);
  }
  const tile = ops.tile;
  const mPadded = padTo(s.m, tile);
  const nPadded = padTo(s.n, tile);
  o.macs = s.count * s.m * s.k * s.n;
  o.paddedMacs = s.count * mPadded * s.k * nPadded;
  o.kernel = s.expert ? 'grouped-gemm' : 'gemm';
  o.items = s.count * Math.ceil(s.m / tile) * Math.ceil(s.n / tile);
  o.loopDepth = s.k;
  o.tile = tile;
  o.units = ops.units;
  const aBytes = s.count * s.m * s.k * ops.aBytes;
  const bBytes = s.count * s.k * s.n * ops.bBytes * s.bFraction;
  const cBytes = s.count * s.m * s.n * cx.bytesOf(s.out);
  const working = cx.workingSramBytes;
  const T = cx.outputTile;
  const aPasses = aBytes / s.count <= working ? 1 : Math.ceil(s.n / T);
  const bPasses = bBytes / s.count <= working ? 1 : Math.ceil(s.m / T);
  const bOffChip = s.weights && p.weightsInSram ? 0 : bBytes * bPasses;
  const bDram = s.weights ? bOffChip * (s.expert ? p.expertsInDramFraction : p.denseInDramFraction) : 0;
  const offChipHbm = aBytes * aPasses + (bOffChip - bDram) + cBytes;
  // Operand delivery from SRAM to the units: each byte feeds `tile` MACs before it is re-read.
  o.sram = aBytes * Math.ceil(nPadded / tile) + bBytes * Math.ceil(mPadded / tile) + cBytes + offChipHbm + bDram;
  o.pjPerMac = ops.pjPerMac;
  o.peakMacsPerSec = ops.peakMacsPerSec;
  o.scalePjPerMac = ops.scalePjPerMac;
  o.lane = ops.lane;
  // An operand not in the compute format is converted on the vector unit first (a scale multiply and a convert per value).
  const sel = ops.sel;
  const dequantA = s.a.format === sel.format ? 0 : 2 * s.count * s.m * s.k * aPasses;
  const dequantB = s.b.format === sel.format ? 0 : 2 * s.count * s.k * s.n * s.bFraction * bPasses;
  o.vectorFlops = dequantA + dequantB;
  o.format = sel.format;
  o.hbm = offChipHbm;
  o.dram = bDram;
}

/**
 * Bytes per value of an attention step's KV cache: K and V per KV head, or, for a shared latent
 * (MLA absorbed: one KV head whose keys and values are the same latent vector, qkDim != vDim), the
 * latent alone.
 */
function kvValueBytes(s: AttentionStep): number {
  const sharedLatent = s.kvHeads === 1 && s.qkDim !== s.vDim;
  return s.kvBytesPerToken / (s.kvHeads * (sharedLatent ? s.qkDim : s.qkDim + s.vDim));
}

/**
 * Flash-attention style: K and V streamed once per block of queries that fits in the working SRAM.
 * Prefill attention is tiled over the queries (padded to the tile); decode attention is a KV read
 * split over the units, sequence by sequence and KV head by KV head.
 */
function attentionTraffic(cx: ChipContext, s: AttentionStep, o: StepScratch, ops: Operands | undefined): void {
  const chip = cx.chip;
  if (!ops) throw new StepError(`${chip.name} has no matrix unit for attention in ${s.compute.format}`);
  const tile = ops.tile;
  o.macs = s.batch * s.queries * s.context * s.heads * (s.qkDim + s.vDim);
  o.tile = tile;
  o.units = ops.units;
  if (s.queries <= DECODE_ATTENTION_MAX_QUERIES) {
    o.kernel = 'attention-decode';
    o.cores = chip.cores;
    o.paddedMacs = o.macs;
    o.kvStreams = s.batch * s.kvHeads;
    o.streamBytes = (s.context * s.kvBytesPerToken) / s.kvHeads;
    o.groupRows = (s.queries * s.heads) / s.kvHeads;
    o.rowBytes = o.groupRows * (s.qkDim + s.vDim) * cx.bytesOf(s.act);
    o.loopDepth = s.context;
    o.kvValueBytes = kvValueBytes(s);
    o.separateRope = s.ropeDim !== undefined && s.ropeDim > s.qkDim;
  } else {
    o.kernel = 'attention-prefill';
    o.paddedMacs = s.batch * padTo(s.queries, tile) * s.context * s.heads * (s.qkDim + s.vDim);
    o.items = s.batch * s.heads * Math.ceil(s.queries / tile);
    o.loopDepth = s.context;
  }
  const act = cx.bytesOf(s.act);
  const qPerSeq = s.queries * s.heads * s.qkDim * act;
  const passes = Math.max(1, Math.ceil(qPerSeq / cx.workingSramBytes));
  const kvRead = s.batch * s.context * s.kvBytesPerToken * passes;
  const kvWrite = s.batch * s.queries * s.kvBytesPerToken;
  const qo = s.batch * s.queries * s.heads * (s.qkDim + s.vDim) * act;
  o.hbm = kvRead + kvWrite + qo;
  const rowsPerKv = (s.queries * s.heads) / s.kvHeads;
  o.sram = o.hbm + kvRead * Math.max(0, Math.ceil(rowsPerKv / tile) - 1);
  // Softmax: max, subtract, exp, sum, scale per score (~5 FLOPs).
  o.vectorFlops = 5 * s.batch * s.queries * s.context * s.heads;
  o.format = ops.sel.format;
  o.pjPerMac = ops.pjPerMac;
  o.peakMacsPerSec = ops.peakMacsPerSec;
}

/**
 * Times and energies of one repeat from its work and traffic: the kernel laws of the chip's class
 * of kernel (src/kernels/time.ts), or the collective's time where that is longer. Dynamic energy
 * follows the work, not the time; static energy (charged per phase) follows the time.
 * `o` was described (describeStep) on this chip or on a copy that differs only in its kernel
 * parameters (the calibration fitter's): its format's peak and pJ/MAC are read from `o`.
 */
export function costStep(chip: Chip, o: StepScratch): void {
  kernelTimes(chip, o.format, o, chip.kernels, o, o.peakMacsPerSec);
  const memSec = Math.max(o.sramSec, o.hbmSec, o.dramSec);
  if (o.commSec > o.timeSec) o.timeSec = o.commSec;
  o.boundBy = o.commSec >= o.timeSec && o.commSec > 0 ? 'interconnect' : o.computeSec >= memSec ? 'compute' : 'memory';
  o.eCompute = ((o.format ? o.macs * (o.pjPerMac + o.scalePjPerMac) : 0) + o.vectorFlops * chip.energy.vectorPjPerFlop) * 1e-12;
  o.eSram = o.sram * chip.energy.sramPjPerByte * 1e-12;
  o.eHbm = (o.hbm * chip.energy.hbmPjPerByte + o.dram * chip.energy.dramPjPerByte) * 1e-12;
  // A power limit slows a step whose dynamic power would exceed what the limit leaves after static power.
  if (chip.tdpW !== undefined && o.timeSec > 0) {
    const dynamicJ = o.eCompute + o.eSram + o.eHbm + o.eInterconnect;
    const headroomW = chip.tdpW - chip.energy.staticW;
    if (headroomW > 0 && dynamicJ / o.timeSec > headroomW) {
      o.timeSec = dynamicJ / headroomW;
      o.boundBy = 'power';
    }
  }
}

/**
 * The work and traffic of one repeat of a step, into `o`, on the chip of an evaluation's context
 * (no fitted parameter is read, except a collective's time).
 */
export function describeStep(cx: ChipContext, s: Step, p: Placement, o: StepScratch): void {
  const chip = cx.chip;
  clear(o);
  switch (s.kind) {
    case 'matmul':
      matmulTraffic(cx, s, p, o, cx.operands(s.a, s.b));
      break;
    case 'attention':
      attentionTraffic(cx, s, o, cx.operands(s.compute, s.compute));
      break;
    case 'elementwise':
      o.vectorFlops = s.elements * s.flopsPerElement;
      o.sram = o.hbm = s.elements * s.bytesPerElement;
      break;
    case 'gather':
      o.sram = o.hbm = s.rows * s.rowBytes;
      break;
    case 'host':
      if (chip.dramBytesPerSec <= 0) throw new StepError(`${chip.name} has no DRAM tier for host transfer "${s.name}"`);
      o.kernel = 'host';
      o.dram = o.hbm = s.bytes;
      break;
    case 'collective': {
      o.kernel = 'collective';
      const c = collectiveCost(chip.interconnect, chip.energy.linkPjPerBit, s.op, s.bytes, s.groupSize, p.innerChips[s.group] ?? 1, chip.kernels.collectives, cx.fabrics, undefined, chip.kernels.allReduce, s.rowBytes, chip.cores);
      if ('error' in c) throw new StepError(c.error);
      // The buffer is read from and written back to HBM once.
      o.hbm = o.sram = c.tier === 'none' ? 0 : 2 * s.bytes;
      o.commSec = c.timeSec;
      o.linkBytes = c.linkBytes;
      o.eInterconnect = c.energyJ;
      break;
    }
  }
}

/** Measures one repeat of a step into `o`, on the chip of an evaluation's context: its work and traffic, then their cost. */
export function measureStep(cx: ChipContext, s: Step, p: Placement, o: StepScratch): void {
  describeStep(cx, s, p, o);
  costStep(cx.chip, o);
}

/** Adds the dynamic energy of `repeat` repeats of a measured step into `into`. */
export function addStepEnergy(into: EnergyBreakdown, o: StepScratch, repeat: number): void {
  into.compute += o.eCompute * repeat;
  into.sram += o.eSram * repeat;
  into.hbm += o.eHbm * repeat;
  into.interconnect += o.eInterconnect * repeat;
}

/** Cost of one step on one chip (or in an evaluation's context), all repeats, as reports show it. */
export function stepCost(on: Chip | ChipContext, s: Step, p: Placement): StepCost {
  const o = newScratch();
  measureStep(contextOf(on), s, p, o);
  const r = s.repeat;
  const offChip = o.hbm + o.dram;
  const energyJ = zeroEnergy();
  addStepEnergy(energyJ, o, r);
  return {
    name: s.name,
    kind: s.kind,
    repeat: r,
    part: s.part,
    timeSec: o.timeSec * r,
    computeSec: o.computeSec * r,
    sramSec: o.sramSec * r,
    hbmSec: o.hbmSec * r,
    dramSec: o.dramSec * r,
    commSec: o.commSec * r,
    boundBy: o.boundBy,
    macs: o.macs * r,
    vectorFlops: o.vectorFlops * r,
    sramBytes: o.sram * r,
    hbmBytes: o.hbm * r,
    dramBytes: o.dram * r,
    linkBytes: o.linkBytes * r,
    computeFormat: o.format,
    arithmeticIntensity: offChip > 0 ? (2 * o.macs + o.vectorFlops) / offChip : 0,
    energyJ,
  };
}
