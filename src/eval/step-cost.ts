import { bytesPerValue, type FormatName } from '../precision/formats.js';
import type { Chip } from '../chip/chip.js';
import { collectiveCost } from '../interconnect/collectives.js';
import type { AttentionStep, CollectiveStep, MatmulStep, Step } from '../workload/step.js';
import { selectComputeFormat } from './format-select.js';
import { zeroEnergy, type Bound, type StepCost } from './types.js';

/** Where the weights are read from during a phase. */
export interface Placement {
  weightsInSram: boolean;
  /** Shares of the routed experts' weights and of the other weights read from the DRAM tier. */
  expertsInDramFraction: number;
  denseInDramFraction: number;
  /** Chips of the parallel groups nested inside each group, to tell when a group leaves the pod. */
  innerChips: Partial<Record<CollectiveStep['group'], number>>;
}

/** Half the SRAM holds the output-stationary tile and its operand panels; the other half prefetches. */
export const SRAM_WORKING_FRACTION = 0.5;

/** Side T of the square output tile whose fp32 accumulators and operand panels fill the working SRAM: 8 T^2 bytes. */
export function outputTileSide(sramBytes: number): number {
  return Math.max(1, Math.floor(Math.sqrt((sramBytes * SRAM_WORKING_FRACTION) / 8)));
}

const padTo = (x: number, tile: number) => (x <= 0 ? 0 : Math.ceil(x / tile) * tile);

export class StepError extends Error {}

interface Traffic {
  macs: number;
  paddedMacs: number;
  vectorFlops: number;
  format: FormatName | undefined;
  scalePjPerMac: number;
  sram: number;
  hbm: number;
  dram: number;
  dequantFlops: number;
}

function matmulTraffic(chip: Chip, s: MatmulStep, p: Placement): Traffic {
  const sel = selectComputeFormat(chip, s.a, s.b);
  if (!sel) {
    const have = Object.keys(chip.peakMacsPerSec).join(', ');
    throw new StepError(`${chip.name} has no matrix unit that can compute ${s.a.format} x ${s.b.format} (it has ${have})`);
  }
  const tile = chip.tileDim[sel.format] ?? 128;
  const macs = s.count * s.m * s.k * s.n;
  const paddedMacs = s.count * padTo(s.m, tile) * s.k * padTo(s.n, tile);
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
  const sram = aBytes * Math.ceil(padTo(s.n, tile) / tile) + bBytes * Math.ceil(padTo(s.m, tile) / tile) + cBytes + offChipHbm + bDram;
  const blockSize = Math.max(s.a.blockSize, s.b.blockSize);
  const scalePjPerMac = sel.native && blockSize > 0 ? chip.energy.blockScaleStepPj / blockSize : 0;
  // An operand not in the compute format is converted on the vector unit first (a scale multiply and a convert per value).
  const dequantA = s.a.format === sel.format ? 0 : 2 * s.count * s.m * s.k * aPasses;
  const dequantB = s.b.format === sel.format ? 0 : 2 * s.count * s.k * s.n * s.bFraction * bPasses;
  const dequantFlops = dequantA + dequantB;
  return { macs, paddedMacs, vectorFlops: dequantFlops, format: sel.format, scalePjPerMac, sram, hbm: offChipHbm, dram: bDram, dequantFlops };
}

/** Flash-attention style: K and V streamed once per block of queries that fits in the working SRAM. */
function attentionTraffic(chip: Chip, s: AttentionStep): Traffic {
  const sel = selectComputeFormat(chip, s.compute, s.compute);
  if (!sel) throw new StepError(`${chip.name} has no matrix unit for attention in ${s.compute.format}`);
  const macs = s.batch * s.queries * s.context * s.heads * (s.qkDim + s.vDim);
  const act = bytesPerValue(s.act);
  const qPerSeq = s.queries * s.heads * s.qkDim * act;
  const passes = Math.max(1, Math.ceil(qPerSeq / (chip.sramBytes * SRAM_WORKING_FRACTION)));
  const kvRead = s.batch * s.context * s.kvBytesPerToken * passes;
  const kvWrite = s.batch * s.queries * s.kvBytesPerToken;
  const qo = s.batch * s.queries * s.heads * (s.qkDim + s.vDim) * act;
  const hbm = kvRead + kvWrite + qo;
  const tile = chip.tileDim[sel.format] ?? 128;
  const rowsPerKv = (s.queries * s.heads) / s.kvHeads;
  const sram = hbm + kvRead * Math.max(0, Math.ceil(rowsPerKv / tile) - 1);
  // Softmax: max, subtract, exp, sum, scale per score (~5 FLOPs).
  const vectorFlops = 5 * s.batch * s.queries * s.context * s.heads;
  return { macs, paddedMacs: macs, vectorFlops, format: sel.format, scalePjPerMac: 0, sram, hbm, dram: 0, dequantFlops: 0 };
}

function finish(chip: Chip, s: Step, t: Traffic, commSec: number, linkBytes: number, linkEnergyJ: number): StepCost {
  const r = s.repeat;
  const rate = t.format ? (chip.peakMacsPerSec[t.format] ?? 0) * chip.efficiency.matrix : 0;
  const matrixSec = t.paddedMacs > 0 ? t.paddedMacs / rate : 0;
  const vectorSec = t.vectorFlops / chip.vectorFlopsPerSec;
  const computeSec = matrixSec + vectorSec;
  const sramSec = t.sram / chip.sramBytesPerSec;
  const hbmSec = t.hbm / (chip.hbmBytesPerSec * chip.efficiency.memory);
  const dramSec = t.dram > 0 ? t.dram / chip.dramBytesPerSec : 0;
  let timeSec = Math.max(computeSec, sramSec, hbmSec, dramSec, commSec);
  let boundBy: Bound = commSec >= timeSec && commSec > 0 ? 'interconnect' : computeSec >= Math.max(sramSec, hbmSec, dramSec) ? 'compute' : 'memory';
  const e = zeroEnergy();
  if (t.format) e.compute = t.macs * (chip.energy.pjPerMac[t.format] + t.scalePjPerMac) * 1e-12;
  e.compute += t.vectorFlops * chip.energy.vectorPjPerFlop * 1e-12;
  e.sram = t.sram * chip.energy.sramPjPerByte * 1e-12;
  e.hbm = (t.hbm * chip.energy.hbmPjPerByte + t.dram * chip.energy.dramPjPerByte) * 1e-12;
  e.interconnect = linkEnergyJ;
  // A power limit slows a step whose dynamic power would exceed what the limit leaves after static power.
  if (chip.tdpW !== undefined && timeSec > 0) {
    const dynamicJ = e.compute + e.sram + e.hbm + e.interconnect;
    const headroomW = chip.tdpW - chip.energy.staticW;
    if (headroomW > 0 && dynamicJ / timeSec > headroomW) {
      timeSec = dynamicJ / headroomW;
      boundBy = 'power';
    }
  }
  const offChip = t.hbm + t.dram;
  const flops = 2 * t.macs + t.vectorFlops;
  return {
    name: s.name,
    kind: s.kind,
    repeat: r,
    part: s.part,
    timeSec: timeSec * r,
    computeSec: computeSec * r,
    sramSec: sramSec * r,
    hbmSec: hbmSec * r,
    dramSec: dramSec * r,
    commSec: commSec * r,
    boundBy,
    macs: t.macs * r,
    vectorFlops: t.vectorFlops * r,
    sramBytes: t.sram * r,
    hbmBytes: t.hbm * r,
    dramBytes: t.dram * r,
    linkBytes: linkBytes * r,
    computeFormat: t.format,
    arithmeticIntensity: offChip > 0 ? flops / offChip : 0,
    energyJ: { compute: e.compute * r, sram: e.sram * r, hbm: e.hbm * r, interconnect: e.interconnect * r, static: 0 },
  };
}

const NO_TRAFFIC: Traffic = { macs: 0, paddedMacs: 0, vectorFlops: 0, format: undefined, scalePjPerMac: 0, sram: 0, hbm: 0, dram: 0, dequantFlops: 0 };

/** Cost of one step on one chip: time is the slowest of compute, SRAM, HBM, DRAM and links (they overlap). */
export function stepCost(chip: Chip, s: Step, p: Placement): StepCost {
  switch (s.kind) {
    case 'matmul':
      return finish(chip, s, matmulTraffic(chip, s, p), 0, 0, 0);
    case 'attention':
      return finish(chip, s, attentionTraffic(chip, s), 0, 0, 0);
    case 'elementwise': {
      const bytes = s.elements * s.bytesPerElement;
      return finish(chip, s, { ...NO_TRAFFIC, vectorFlops: s.elements * s.flopsPerElement, sram: bytes, hbm: bytes }, 0, 0, 0);
    }
    case 'gather': {
      const bytes = s.rows * s.rowBytes;
      return finish(chip, s, { ...NO_TRAFFIC, sram: bytes, hbm: bytes }, 0, 0, 0);
    }
    case 'host': {
      if (chip.dramBytesPerSec <= 0) throw new StepError(`${chip.name} has no DRAM tier for host transfer "${s.name}"`);
      return finish(chip, s, { ...NO_TRAFFIC, dram: s.bytes, hbm: s.bytes }, 0, 0, 0);
    }
    case 'collective': {
      const c = collectiveCost(chip.interconnect, chip.energy.linkPjPerBit, s.op, s.bytes, s.groupSize, p.innerChips[s.group] ?? 1);
      if ('error' in c) throw new StepError(c.error);
      // The buffer is read from and written back to HBM once.
      const hbm = c.tier === 'none' ? 0 : 2 * s.bytes;
      return finish(chip, s, { ...NO_TRAFFIC, hbm, sram: hbm }, c.timeSec, c.linkBytes, c.energyJ);
    }
  }
}
