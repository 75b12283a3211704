import { decodeLane } from '../kernels/params.js';
import { decodeSplits, decodeUtilization, loopSplits, overlapSec } from '../kernels/time.js';
import type { AttentionStep, CollectiveStep, MatmulStep, Step } from '../workload/step.js';
import type { ChipContext } from './context.js';
import { podAllReduceTimes } from './step-collective.js';
import { DECODE_ATTENTION_MAX_QUERIES, measureStep, type Placement, type StepScratch } from './step-cost.js';

/**
 * The step loop's measurement without detail: what runPhase reads of a step (its time, bound and
 * energies), computed in locals for the kinds a pass is made of (matrix products, attention,
 * elementwise work, gathers). It is measureStep's arithmetic, operation for operation and in the
 * same order (describeStep's traffic, kernelTimes's law, costStep's energies and power limit), so
 * it gives the same bits; it only skips filling the work record field by field and reading it
 * back. Collectives and host transfers, and any step that cannot run, go through measureStep.
 * Sets `o.timeSec`, `o.boundBy` and the four energies; the other fields of `o` are left as they were.
 */
export function measureTimes(cx: ChipContext, s: Step, p: Placement, o: StepScratch): void {
  switch (s.kind) {
    case 'matmul':
      if (!matmulTimes(cx, s, p, o)) measureStep(cx, s, p, o);
      return;
    case 'attention':
      if (!attentionTimes(cx, s, o)) measureStep(cx, s, p, o);
      return;
    case 'elementwise':
      streamTimes(cx, s.elements * s.flopsPerElement, s.elements * s.bytesPerElement, o);
      return;
    case 'gather':
      streamTimes(cx, 0, s.rows * s.rowBytes, o);
      return;
    case 'collective':
      collectiveTimes(cx, s, p, o);
      return;
    default:
      measureStep(cx, s, p, o);
  }
}

/**
 * The last collective measured and what runPhase reads of it: a pass's all-reduces come in pairs
 * of the same op, group and bytes (after attention and after the FFN, every layer), so the second
 * of a pair is read back instead of timed again. The key is what describeStep reads of a
 * collective step (op, bytes, row bytes, group size, group, and the placement's inner chips of that group)
 * with the context (one evaluation's chip and fabrics); the same key gives the same bits.
 */
const lastCollective = {
  cx: undefined as ChipContext | undefined,
  inner: 0,
  op: '',
  group: '',
  groupSize: 0,
  bytes: NaN,
  rowBytes: NaN,
  timeSec: 0,
  boundBy: 'compute' as StepScratch['boundBy'],
  eCompute: 0,
  eSram: 0,
  eHbm: 0,
  eInterconnect: 0,
};

function collectiveTimes(cx: ChipContext, s: CollectiveStep, p: Placement, o: StepScratch): void {
  const m = lastCollective;
  const inner = p.innerChips[s.group] ?? 1;
  if (m.cx === cx && m.bytes === s.bytes && m.rowBytes === s.rowBytes && m.inner === inner && m.op === s.op && m.group === s.group && m.groupSize === s.groupSize) {
    copyMeasured(m, o);
    return;
  }
  // Not kept when it throws (a collective the interconnect cannot run).
  m.cx = undefined;
  if (!podAllReduceTimes(cx, s, p, o)) measureStep(cx, s, p, o);
  m.cx = cx;
  m.inner = inner;
  m.op = s.op;
  m.group = s.group;
  m.groupSize = s.groupSize;
  m.bytes = s.bytes;
  m.rowBytes = s.rowBytes;
  copyMeasured(o, m);
}

/** What runPhase reads of a measured step: its time, bound and energies. */
type Measured = Pick<StepScratch, 'timeSec' | 'boundBy' | 'eCompute' | 'eSram' | 'eHbm' | 'eInterconnect'>;

function copyMeasured(from: Measured, to: Measured): void {
  to.timeSec = from.timeSec;
  to.boundBy = from.boundBy;
  to.eCompute = from.eCompute;
  to.eSram = from.eSram;
  to.eHbm = from.eHbm;
  to.eInterconnect = from.eInterconnect;
}

const padTo = (x: number, tile: number) => (x <= 0 ? 0 : Math.ceil(x / tile) * tile);

function matmulTimes(cx: ChipContext, s: MatmulStep, p: Placement, o: StepScratch): boolean {
  const ops = cx.operands(s.a, s.b);
  if (!ops) return false;
  const chip = cx.chip;
  const kp = chip.kernels;
  const count = s.count;
  const m = s.m;
  const k = s.k;
  const n = s.n;
  const tile = ops.tile;
  const mPadded = padTo(m, tile);
  const nPadded = padTo(n, tile);
  const macs = count * m * k * n;
  const paddedMacs = count * mPadded * k * nPadded;
  const grouped = s.expert ? true : false;
  const items = count * Math.ceil(m / tile) * Math.ceil(n / tile);
  const aBytes = count * m * k * ops.aBytes;
  const bBytes = count * k * n * ops.bBytes * s.bFraction;
  const cBytes = count * m * n * cx.bytesOf(s.out);
  const working = cx.workingSramBytes;
  const T = cx.outputTile;
  const aPasses = aBytes / count <= working ? 1 : Math.ceil(n / T);
  const bPasses = bBytes / count <= working ? 1 : Math.ceil(m / T);
  const bOffChip = s.weights && p.weightsInSram ? 0 : bBytes * bPasses;
  const dram = s.weights ? bOffChip * (s.expert ? p.expertsInDramFraction : p.denseInDramFraction) : 0;
  const hbm = aBytes * aPasses + (bOffChip - dram) + cBytes;
  const sram = aBytes * Math.ceil(nPadded / tile) + bBytes * Math.ceil(mPadded / tile) + cBytes + hbm + dram;
  const sel = ops.sel;
  const dequantA = s.a.format === sel.format ? 0 : 2 * count * m * k * aPasses;
  const dequantB = s.b.format === sel.format ? 0 : 2 * count * k * n * s.bFraction * bPasses;
  const vectorFlops = dequantA + dequantB;
  let computeSec = 0;
  let sramSec = 0;
  let hbmSec = 0;
  let dramSec = 0;
  let timeSec = 0;
  if (!(paddedMacs <= 0 && vectorFlops <= 0 && sram <= 0 && hbm <= 0 && dram <= 0)) {
    sramSec = sram / chip.sramBytesPerSec;
    dramSec = dram > 0 ? dram / chip.dramBytesPerSec : 0;
    const law = kp.gemm[ops.lane];
    // tiledComputeSec
    let matrixSec = 0;
    if (paddedMacs > 0) {
      const slots = Math.max(1, ops.units / law.unitsPerItem);
      const splits = loopSplits(items, slots, k, tile, law.maxSplits);
      const waves = (items * splits) / slots;
      const waveFactor = 1 - law.waveWeight + (law.waveWeight * Math.ceil(waves)) / waves;
      const loopFactor = k > 0 ? 1 + (law.kOverhead * splits) / k : 1;
      matrixSec = (paddedMacs * waveFactor * loopFactor) / (ops.peakMacsPerSec * law.efficiency * (grouped ? kp.moe.efficiency : 1));
    }
    const vectorSec = vectorFlops / (chip.vectorFlopsPerSec * law.vectorEfficiency);
    computeSec = matrixSec + vectorSec;
    hbmSec = hbm / (chip.hbmBytesPerSec * law.hbmEfficiency);
    timeSec = (grouped ? kp.moe.launchSec : law.launchSec) + gemmOverlapSec(matrixSec, vectorSec, sramSec, hbmSec, dramSec, law.overlap);
  }
  finish(cx, o, timeSec, computeSec, sramSec, hbmSec, dramSec, (macs * (ops.pjPerMac + ops.scalePjPerMac) + vectorFlops * chip.energy.vectorPjPerFlop) * 1e-12, sram, hbm, dram);
  return true;
}

/**
 * overlapSec for a matrix product: its p = 2 and 3 (the shipped GEMM lanes' p) written out here, the
 * same operations in the same order (the same bits: test/overlap.test.ts, test/step-fast.test.ts),
 * other p through overlapSec. A copy of its own so that matmulTimes inlines it whatever the
 * optimizer made of overlapSec first: overlapSec optimized with its general p-norm inlined (decode
 * attention's p = 8 calls it) counts 540-765 bytes against the inlining budget, not its own 294
 * (bench/NOTES.md, e22), and then stayed out of line in matmulTimes, boxing its five arguments and
 * its result at every step (overlapSec took 5.2% of the step loop's profile against matmulTimes'
 * 15.1%, `node --cpu-prof bench/lib/step-loop.mjs`).
 */
export function gemmOverlapSec(a: number, b: number, c: number, d: number, e: number, p: number): number {
  if (p !== 3 && p !== 2) return overlapSec(a, b, c, d, e, p);
  const m = Math.max(a, b, c, d, e);
  if (m <= 0) return 0;
  const ra = a / m;
  const rb = b / m;
  const rc = c / m;
  const rd = d / m;
  const re = e / m;
  if (p === 3) {
    const s = ra * ra * ra + rb * rb * rb + rc * rc * rc + rd * rd * rd + re * re * re;
    return s === 1 ? m * s : m * Math.cbrt(s);
  }
  const s = ra * ra + rb * rb + rc * rc + rd * rd + re * re;
  return s === 1 ? m * s : m * Math.sqrt(s);
}

/**
 * overlapSec(a, 0, c, d, 0, p) for decode attention: p = 8 (the 8-bit decode law) written out as
 * overlapSec's general p-norm computes it (a zero part skipped, each part's eighth power as
 * wholePower takes it, x2 x2 (x2 x2), the root s ** (1 / 8)); other p through overlapSec.
 */
export function decodeOverlapSec(a: number, c: number, d: number, p: number): number {
  if (p !== 8) return overlapSec(a, 0, c, d, 0, p);
  const m = Math.max(a, 0, c, d, 0);
  if (m <= 0) return 0;
  let s = 0;
  if (a > 0) {
    const x = a / m;
    const x2 = x * x;
    s += x2 * x2 * (x2 * x2);
  }
  if (c > 0) {
    const x = c / m;
    const x2 = x * x;
    s += x2 * x2 * (x2 * x2);
  }
  if (d > 0) {
    const x = d / m;
    const x2 = x * x;
    s += x2 * x2 * (x2 * x2);
  }
  if (s === 1) return m * s;
  return m * s ** (1 / 8);
}

function attentionTimes(cx: ChipContext, s: AttentionStep, o: StepScratch): boolean {
  const ops = cx.operands(s.compute, s.compute);
  if (!ops) return false;
  const chip = cx.chip;
  const kp = chip.kernels;
  const tile = ops.tile;
  const batch = s.batch;
  const queries = s.queries;
  const context = s.context;
  const heads = s.heads;
  const kvHeads = s.kvHeads;
  const qkDim = s.qkDim;
  const vDim = s.vDim;
  const kvBytesPerToken = s.kvBytesPerToken;
  const macs = batch * queries * context * heads * (qkDim + vDim);
  const decode = queries <= DECODE_ATTENTION_MAX_QUERIES;
  const paddedMacs = decode ? macs : batch * padTo(queries, tile) * context * heads * (qkDim + vDim);
  const act = cx.bytesOf(s.act);
  const qPerSeq = queries * heads * qkDim * act;
  const passes = Math.max(1, Math.ceil(qPerSeq / cx.workingSramBytes));
  const kvRead = batch * context * kvBytesPerToken * passes;
  const kvWrite = batch * queries * kvBytesPerToken;
  const qo = batch * queries * heads * (qkDim + vDim) * act;
  const hbm = kvRead + kvWrite + qo;
  const rowsPerKv = (queries * heads) / kvHeads;
  const sram = hbm + kvRead * Math.max(0, Math.ceil(rowsPerKv / tile) - 1);
  const vectorFlops = 5 * batch * queries * context * heads;
  const peak = ops.peakMacsPerSec;
  let computeSec = 0;
  let sramSec = 0;
  let hbmSec = 0;
  let timeSec = 0;
  if (!(paddedMacs <= 0 && vectorFlops <= 0 && sram <= 0 && hbm <= 0)) {
    sramSec = sram / chip.sramBytesPerSec;
    if (decode) {
      const sharedLatent = kvHeads === 1 && qkDim !== vDim;
      const law = kp.attention.decode[decodeLane(kvBytesPerToken / (kvHeads * (sharedLatent ? qkDim : qkDim + vDim)))];
      const kvStreams = batch * kvHeads;
      const groupRows = (queries * heads) / kvHeads;
      const cores = chip.cores;
      const items = kvStreams * decodeSplits(context, kvStreams, cores);
      const vectorSec = vectorFlops / chip.vectorFlopsPerSec;
      const itemBytes = (groupRows > 1 ? law.itemBytes * law.groupedItemFactor : law.itemBytes) + law.rowFactor * (groupRows * (qkDim + vDim) * act);
      const idle = items < cores ? cores / items : 1;
      const itemSec = (items * itemBytes) / chip.sramBytesPerSec;
      const exposedSec = law.exposedItemShare * itemSec * idle;
      computeSec = (macs > 0 ? (macs * idle) / (peak * law.efficiency) : 0) + (1 - law.exposedItemShare) * itemSec + vectorSec;
      hbmSec = hbm / (chip.hbmBytesPerSec * law.hbmEfficiency * decodeUtilization(items, cores, law));
      const separateRope = s.ropeDim !== undefined && s.ropeDim > qkDim;
      timeSec = (groupRows > 1 && !separateRope ? law.groupedLaunchSec : law.launchSec) + exposedSec + decodeOverlapSec(computeSec, sramSec, hbmSec, law.overlap);
    } else {
      const law = kp.attention.prefill;
      const items = batch * heads * Math.ceil(queries / tile);
      let matrixSec = 0;
      if (paddedMacs > 0) {
        const slots = Math.max(1, ops.units / law.unitsPerItem);
        const splits = loopSplits(items, slots, context, tile, law.maxSplits);
        const waves = (items * splits) / slots;
        const waveFactor = 1 - law.waveWeight + (law.waveWeight * Math.ceil(waves)) / waves;
        const loopFactor = context > 0 ? 1 + (law.kOverhead * splits) / context : 1;
        matrixSec = (paddedMacs * waveFactor * loopFactor) / (peak * law.efficiency * 1);
      }
      const vectorSec = vectorFlops / (chip.vectorFlopsPerSec * law.vectorEfficiency);
      computeSec = matrixSec + vectorSec;
      hbmSec = hbm / (chip.hbmBytesPerSec * law.hbmEfficiency);
      timeSec = law.launchSec + overlapSec(matrixSec, vectorSec, sramSec, hbmSec, 0, law.overlap);
    }
  }
  finish(cx, o, timeSec, computeSec, sramSec, hbmSec, 0, (macs * (ops.pjPerMac + 0) + vectorFlops * chip.energy.vectorPjPerFlop) * 1e-12, sram, hbm, 0);
  return true;
}

/** An elementwise or gather step: the stream law (no format, so no matrix energy). */
function streamTimes(cx: ChipContext, vectorFlops: number, bytes: number, o: StepScratch): void {
  const chip = cx.chip;
  let computeSec = 0;
  let sramSec = 0;
  let hbmSec = 0;
  let timeSec = 0;
  if (!(vectorFlops <= 0 && bytes <= 0)) {
    const law = chip.kernels.elementwise;
    computeSec = vectorFlops / chip.vectorFlopsPerSec;
    sramSec = bytes / chip.sramBytesPerSec;
    hbmSec = bytes / (chip.hbmBytesPerSec * law.hbmEfficiency);
    const busy = Math.max(computeSec, sramSec, hbmSec, 0);
    timeSec = busy > 0 ? law.launchSec + busy : 0;
  }
  finish(cx, o, timeSec, computeSec, sramSec, hbmSec, 0, (0 + vectorFlops * chip.energy.vectorPjPerFlop) * 1e-12, bytes, bytes, 0);
}

/** costStep after the kernel law: the bound, the energies and the power limit (no collective time here). */
function finish(cx: ChipContext, o: StepScratch, timeSec: number, computeSec: number, sramSec: number, hbmSec: number, dramSec: number, eCompute: number, sram: number, hbm: number, dram: number): void {
  const chip = cx.chip;
  const e = chip.energy;
  const memSec = Math.max(sramSec, hbmSec, dramSec);
  o.boundBy = computeSec >= memSec ? 'compute' : 'memory';
  const eSram = sram * e.sramPjPerByte * 1e-12;
  const eHbm = (hbm * e.hbmPjPerByte + dram * e.dramPjPerByte) * 1e-12;
  if (chip.tdpW !== undefined && timeSec > 0) {
    const dynamicJ = eCompute + eSram + eHbm + 0;
    const headroomW = chip.tdpW - e.staticW;
    if (headroomW > 0 && dynamicJ / timeSec > headroomW) {
      timeSec = dynamicJ / headroomW;
      o.boundBy = 'power';
    }
  }
  o.timeSec = timeSec;
  o.eCompute = eCompute;
  o.eSram = eSram;
  o.eHbm = eHbm;
  o.eInterconnect = 0;
}
