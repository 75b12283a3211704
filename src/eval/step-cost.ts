import { bytesPerValue, type FormatName } from '../precision/formats.js';
import type { Chip } from '../chip/chip.js';
import { collectiveCost } from '../interconnect/collectives.js';
import type { AttentionStep, CollectiveStep, MatmulStep, Step } from '../workload/step.js';
import { contextOf, type ChipContext, type Selection } from './context.js';
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

const padTo = (x: number, tile: number) => (x <= 0 ? 0 : Math.ceil(x / tile) * tile);

export class StepError extends Error {}

/**
 * One repeat of a step, measured: the traffic it causes and what that costs. `measureStep` fills a
 * caller's scratch object instead of allocating, because a search evaluates millions of steps; a
 * StepCost (all repeats, for reports) is built from it only when details are wanted.
 */
export interface StepScratch {
  macs: number;
  paddedMacs: number;
  vectorFlops: number;
  format: FormatName | undefined;
  scalePjPerMac: number;
  sram: number;
  hbm: number;
  dram: number;
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

export function newScratch(): StepScratch {
  return { macs: 0, paddedMacs: 0, vectorFlops: 0, format: undefined, scalePjPerMac: 0, sram: 0, hbm: 0, dram: 0, linkBytes: 0, timeSec: 0, computeSec: 0, sramSec: 0, hbmSec: 0, dramSec: 0, commSec: 0, boundBy: 'compute', eCompute: 0, eSram: 0, eHbm: 0, eInterconnect: 0 };
}

function clear(o: StepScratch): void {
  o.macs = 0;
  o.paddedMacs = 0;
  o.vectorFlops = 0;
  o.format = undefined;
  o.scalePjPerMac = 0;
  o.sram = 0;
  o.hbm = 0;
  o.dram = 0;
  o.linkBytes = 0;
  o.commSec = 0;
  o.eInterconnect = 0;
}

function matmulTraffic(chip: Chip, s: MatmulStep, p: Placement, o: StepScratch, sel: Selection | undefined): void {
  if (!sel) {
    const have = Object.keys(chip.peakMacsPerSec).join(', ');
    throw new StepError(`${chip.name} has no matrix unit that can compute ${s.a.format} x ${s.b.format} (it has ${have})`);
  }
  const tile = chip.tileDim[sel.format] ?? 128;
  o.macs = s.count * s.m * s.k * s.n;
  o.paddedMacs = s.count * padTo(s.m, tile) * s.k * padTo(s.n, tile);
  const aBytes = s.count * s.m * s.k * bytesPerValue(s.a);
  const bBytes = s.count * s.k * s.n * bytesPerValue(s.b) * s.bFraction;
  const cBytes = s.count * s.m * s.n * bytesPerValue(s.out);
  const working = chip.sramBytes * SRAM_WORKING_FRACTION;
  const T = outputTileSide(chip.sramBytes);
  const aPasses = aBytes / s.count <= working ? 1 : Math.ceil(s.n / T);
  const bPasses = bBytes / s.count <= working ? 1 : Math.ceil(s.m / T);
  const bOffChip = s.weights && p.weightsInSram ? 0 : bBytes * bPasses;
  const bDram = s.weights ? bOffChip * (s.expert ? p.expertsInDramFraction : p.denseInDramFraction) : 0;
  const offChipHbm = aBytes * aPasses + (bOffChip - bDram) + cBytes;
  // Operand delivery from SRAM to the units: each byte feeds `tile` MACs before it is re-read.
  o.sram = aBytes * Math.ceil(padTo(s.n, tile) / tile) + bBytes * Math.ceil(padTo(s.m, tile) / tile) + cBytes + offChipHbm + bDram;
  const blockSize = Math.max(s.a.blockSize, s.b.blockSize);
  o.scalePjPerMac = sel.native && blockSize > 0 ? chip.energy.blockScaleStepPj / blockSize : 0;
  // An operand not in the compute format is converted on the vector unit first (a scale multiply and a convert per value).
  const dequantA = s.a.format === sel.format ? 0 : 2 * s.count * s.m * s.k * aPasses;
  const dequantB = s.b.format === sel.format ? 0 : 2 * s.count * s.k * s.n * s.bFraction * bPasses;
  o.vectorFlops = dequantA + dequantB;
  o.format = sel.format;
  o.hbm = offChipHbm;
  o.dram = bDram;
}

/** Flash-attention style: K and V streamed once per block of queries that fits in the working SRAM. */
function attentionTraffic(chip: Chip, s: AttentionStep, o: StepScratch, sel: Selection | undefined): void {
  if (!sel) throw new StepError(`${chip.name} has no matrix unit for attention in ${s.compute.format}`);
  o.macs = o.paddedMacs = s.batch * s.queries * s.context * s.heads * (s.qkDim + s.vDim);
  const act = bytesPerValue(s.act);
  const qPerSeq = s.queries * s.heads * s.qkDim * act;
  const passes = Math.max(1, Math.ceil(qPerSeq / (chip.sramBytes * SRAM_WORKING_FRACTION)));
  const kvRead = s.batch * s.context * s.kvBytesPerToken * passes;
  const kvWrite = s.batch * s.queries * s.kvBytesPerToken;
  const qo = s.batch * s.queries * s.heads * (s.qkDim + s.vDim) * act;
  o.hbm = kvRead + kvWrite + qo;
  const tile = chip.tileDim[sel.format] ?? 128;
  const rowsPerKv = (s.queries * s.heads) / s.kvHeads;
  o.sram = o.hbm + kvRead * Math.max(0, Math.ceil(rowsPerKv / tile) - 1);
  // Softmax: max, subtract, exp, sum, scale per score (~5 FLOPs).
  o.vectorFlops = 5 * s.batch * s.queries * s.context * s.heads;
  o.format = sel.format;
}

/** Times and energies of one repeat from its traffic: the slowest of compute, SRAM, HBM, DRAM and links. */
function cost(chip: Chip, o: StepScratch): void {
  const rate = o.format ? (chip.peakMacsPerSec[o.format] ?? 0) * chip.efficiency.matrix : 0;
  const matrixSec = o.paddedMacs > 0 ? o.paddedMacs / rate : 0;
  o.computeSec = matrixSec + o.vectorFlops / chip.vectorFlopsPerSec;
  o.sramSec = o.sram / chip.sramBytesPerSec;
  o.hbmSec = o.hbm / (chip.hbmBytesPerSec * chip.efficiency.memory);
  o.dramSec = o.dram > 0 ? o.dram / chip.dramBytesPerSec : 0;
  const memSec = Math.max(o.sramSec, o.hbmSec, o.dramSec);
  o.timeSec = Math.max(o.computeSec, memSec, o.commSec);
  o.boundBy = o.commSec >= o.timeSec && o.commSec > 0 ? 'interconnect' : o.computeSec >= memSec ? 'compute' : 'memory';
  o.eCompute = ((o.format ? o.macs * (chip.energy.pjPerMac[o.format] + o.scalePjPerMac) : 0) + o.vectorFlops * chip.energy.vectorPjPerFlop) * 1e-12;
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

/** Measures one repeat of a step into `o`, on the chip of an evaluation's context. */
export function measureStep(cx: ChipContext, s: Step, p: Placement, o: StepScratch): void {
  const chip = cx.chip;
  clear(o);
  switch (s.kind) {
    case 'matmul':
      matmulTraffic(chip, s, p, o, cx.select(s.a, s.b));
      break;
    case 'attention':
      attentionTraffic(chip, s, o, cx.select(s.compute, s.compute));
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
      o.dram = o.hbm = s.bytes;
      break;
    case 'collective': {
      const c = collectiveCost(chip.interconnect, chip.energy.linkPjPerBit, s.op, s.bytes, s.groupSize, p.innerChips[s.group] ?? 1, cx.fabrics);
      if ('error' in c) throw new StepError(c.error);
      // The buffer is read from and written back to HBM once.
      o.hbm = o.sram = c.tier === 'none' ? 0 : 2 * s.bytes;
      o.commSec = c.timeSec;
      o.linkBytes = c.linkBytes;
      o.eInterconnect = c.energyJ;
      break;
    }
  }
  cost(chip, o);
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
