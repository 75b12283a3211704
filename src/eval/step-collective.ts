import type { Fabric } from '../interconnect/collectives.js';
import { allReduceSec, oneShotCoreBytes, policyAlgorithms } from '../kernels/collective-laws.js';
import { FASTEST_ALL_REDUCE, type AlgorithmLaw } from '../kernels/params.js';
import type { CollectiveStep } from '../workload/step.js';
import type { ChipContext } from './context.js';
import type { Placement, StepScratch } from './step-cost.js';

/**
 * measureStep of an all-reduce inside one pod whose fabric the evaluation's context already holds
 * (a pass's tensor-parallel all-reduces, measured afresh at every count a concurrency search
 * probes): collectiveCost's pod tier and flat's all-reduce, then describeStep's traffic (the buffer
 * read from and written back to HBM once) and costStep (a collective work's memory time, the
 * collective's time where longer, the energies, the power limit), operation for operation and in
 * the same order, so it gives the same bits, without the work record, the cost objects and the
 * kernel law's dispatch. Sets what runPhase reads (time, bound, energies) and returns true; false,
 * with `o` untouched, for any other collective (another op, a group that leaves the pod or whose
 * fabric is not built yet, no bytes): measureStep then.
 */
export function podAllReduceTimes(cx: ChipContext, s: CollectiveStep, p: Placement, o: StepScratch): boolean {
  const chip = cx.chip;
  const ic = chip.interconnect;
  const g = s.groupSize;
  const S = s.bytes;
  if (s.op !== 'all-reduce' || g <= 1 || S <= 0 || g * (p.innerChips[s.group] ?? 1) > ic.chipsPerPod) return false;
  const f: Fabric | undefined = cx.fabrics.get(g);
  const e = chip.energy;
  if (f === undefined || f.pjPerBit !== e.linkPjPerBit) return false;
  const kp = chip.kernels;
  const policy = kp.allReduce;
  // flat(f, 'all-reduce', ...) with no algorithms imposed.
  const coreBytes = f.direct ? oneShotCoreBytes(S, s.rowBytes, chip.cores, (policy ?? FASTEST_ALL_REDUCE).maxRowCores) : 0;
  const best = allReduceSec(f, S, g, kp.collectives, policyAlgorithms(policy, f.direct, S, s.rowBytes), coreBytes);
  const share = (g - 1) / g;
  const perChip = best.algorithm === 'oneShot' ? (g - 1) * S : best.algorithm === 'inSwitch' ? S : 2 * share * S;
  const linkBytes = perChip * f.hops;
  const eInterconnect = linkBytes * 8 * f.pjPerBit * 1e-12;
  const commSec = best.timeSec;
  // describeStep's traffic; kernelTimes for a collective work (no vector work, no DRAM).
  const bytes = 2 * S;
  const vectorFlops = 0;
  const dram = 0;
  const sramSec = bytes / chip.sramBytesPerSec;
  const dramSec = 0;
  const computeSec = vectorFlops / chip.vectorFlopsPerSec;
  const hbmSec = bytes / (chip.hbmBytesPerSec * kp.elementwise.hbmEfficiency);
  let timeSec = Math.max(computeSec, sramSec, hbmSec, dramSec);
  // costStep.
  const memSec = Math.max(sramSec, hbmSec, dramSec);
  if (commSec > timeSec) timeSec = commSec;
  let boundBy: StepScratch['boundBy'] = commSec >= timeSec && commSec > 0 ? 'interconnect' : computeSec >= memSec ? 'compute' : 'memory';
  const eCompute = (0 + vectorFlops * e.vectorPjPerFlop) * 1e-12;
  const eSram = bytes * e.sramPjPerByte * 1e-12;
  const eHbm = (bytes * e.hbmPjPerByte + dram * e.dramPjPerByte) * 1e-12;
  if (chip.tdpW !== undefined && timeSec > 0) {
    const dynamicJ = eCompute + eSram + eHbm + eInterconnect;
    const headroomW = chip.tdpW - e.staticW;
    if (headroomW > 0 && dynamicJ / timeSec > headroomW) {
      timeSec = dynamicJ / headroomW;
      boundBy = 'power';
    }
  }
  o.timeSec = timeSec;
  o.boundBy = boundBy;
  o.eCompute = eCompute;
  o.eSram = eSram;
  o.eHbm = eHbm;
  o.eInterconnect = eInterconnect;
  return true;
}

/**
 * A lower bound (>= 0) on how much longer the all-reduce `s` inside one pod takes at its bytes S
 * than at `fromBytes` (0 < fromBytes <= S: the same step at fewer rows, in the same context and
 * placement), without measuring either; NaN where it is not certain (another op, a group that
 * leaves the pod, no fabric built yet, an algorithm set or a one-shot core share that changes, a
 * link energy per byte that may change under a power limit). Where podAllReduceTimes times both
 * (the same fabric and formulas, so the same bits as measureStep), the time is built from parts
 * that grow with S, d = S - fromBytes:
 * - memory: the larger of 2 S over the SRAM and HBM bandwidths, which grows by 2 d times the larger
 *   reciprocal;
 * - the collective: the least, over the algorithms policyAlgorithms allows, of each algorithm's
 *   law (collective-laws.ts allReduceSec): ring, low-latency ring and two-shot are constants plus
 *   2 (g-1)/g S / (B eta), in-switch S / (B eta), one-shot a constant plus the larger of
 *   (g-1) S / (B eta) and g C c, with C the busiest core's bytes (oneShotCoreBytes: checked here
 *   not to fall; in theory it does not, since rows only grow, a row's cores min(maxRowCores,
 *   rowBytes / 2 KiB, cores / rows) only fall and the rounds only grow). Where the SAME set is
 *   allowed at both sizes, the least at S is some algorithm b's time at S, which is at least b's
 *   time at fromBytes plus b's growth, and b's time at fromBytes is at least the least there: so the
 *   collective grows by at least the smallest growth of an allowed algorithm (one-shot's computed
 *   from both sizes). A policy's token thresholds switch one-shot to two-shot to the library's, and
 *   the time can fall there: no bound then;
 * - max(memory, collective) grows by at least the smaller of their growths;
 * - the power limit: the time is then the larger of that and the dynamic energy over the headroom
 *   (up to the rounding of the comparison, a few ulps, which BOUND_ROUNDING_SLACK covers). SRAM and
 *   HBM energies grow with 2 d; the link energy is S times the chosen algorithm's factor (one-shot
 *   g - 1, in-switch 1, the others 2 (g-1)/g), which can fall where the algorithm changes. So under a
 *   power limit every algorithm the set may pick must have the same factor (g = 2: all are 1; a
 *   one-algorithm set; no one-shot and no in-switch), and the time grows by at least the smaller of
 *   the growth before it and the energy's growth over the headroom.
 * Each floating-point operation is monotone in its operands and rounding is monotone, so the
 * computed times keep the order of the exact ones; the growth is taken 1e-9 short of its computed
 * value for its own rounding.
 */
export function podAllReduceGrowth(cx: ChipContext, s: CollectiveStep, fromBytes: number, p: Placement): number {
  const chip = cx.chip;
  const g = s.groupSize;
  const S = s.bytes;
  if (s.op !== 'all-reduce' || g <= 1 || !(fromBytes > 0) || !(fromBytes <= S) || g * (p.innerChips[s.group] ?? 1) > chip.interconnect.chipsPerPod) return NaN;
  const f: Fabric | undefined = cx.fabrics.get(g);
  const e = chip.energy;
  if (f === undefined || f.pjPerBit !== e.linkPjPerBit) return NaN;
  const kp = chip.kernels;
  const policy = kp.allReduce;
  const allowed = policyAlgorithms(policy, f.direct, S, s.rowBytes);
  if (allowed !== policyAlgorithms(policy, f.direct, fromBytes, s.rowBytes)) return NaN;
  const d = S - fromBytes;
  const laws = kp.collectives;
  const B = f.bandwidth;
  const share = (g - 1) / g;
  // Over the allowed algorithms (allReduceSec's candidates): the smallest growth, and the smallest
  // bandwidth part at fromBytes (a lower bound on the collective's time there: start, step and hop
  // latencies are >= 0, else no bound).
  if (!(f.hopSec >= 0)) return NaN;
  let grows = Infinity;
  let was = Infinity;
  const byRing = (law: AlgorithmLaw, perByte: number) => {
    if (!(law.startSec >= 0 && law.stepSec >= 0)) grows = NaN;
    const sec = perByte / (B * law.busEfficiency);
    grows = Math.min(grows, sec * d);
    was = Math.min(was, sec * fromBytes);
  };
  if (!allowed || allowed.has('ring')) byRing(laws.ring, 2 * share);
  if (!allowed || allowed.has('ringLowLatency')) byRing(laws.ringLowLatency, 2 * share);
  if (f.tree && (!allowed || allowed.has('tree'))) byRing(laws.tree, 2 * share);
  const oneShot = f.direct && (!allowed || allowed.has('oneShot'));
  if (oneShot) {
    const law = laws.oneShot;
    const rowCores = (policy ?? FASTEST_ALL_REDUCE).maxRowCores;
    const cNow = oneShotCoreBytes(S, s.rowBytes, chip.cores, rowCores);
    const cWas = oneShotCoreBytes(fromBytes, s.rowBytes, chip.cores, rowCores);
    if (cNow < cWas || !(law.startSec >= 0 && law.stepSec >= 0)) return NaN;
    const a = B * law.busEfficiency;
    const before = Math.max(((g - 1) * fromBytes) / a, g * cWas * law.coreSecPerByte);
    grows = Math.min(grows, Math.max(((g - 1) * S) / a, g * cNow * law.coreSecPerByte) - before);
    was = Math.min(was, before);
  }
  if (f.direct && (!allowed || allowed.has('twoShot'))) byRing(laws.twoShot, 2 * share);
  const inSwitch = f.inSwitchReduction && (!allowed || allowed.has('inSwitch'));
  if (inSwitch) byRing(laws.inSwitch, 1);
  // max(memory, collective): the collective's growth where it is the larger at fromBytes already.
  const memPerByte = 2 * Math.max(1 / chip.sramBytesPerSec, 1 / (chip.hbmBytesPerSec * kp.elementwise.hbmEfficiency));
  let growth = was >= memPerByte * fromBytes ? grows : Math.min(grows, memPerByte * d);
  const headroomW = chip.tdpW === undefined ? 0 : chip.tdpW - e.staticW;
  if (headroomW > 0) {
    const single = allowed !== undefined && allowed.size === 1;
    if (g !== 2 && !single && (oneShot || inSwitch)) return NaN;
    const factor = single && allowed.has('oneShot') ? g - 1 : 2 * share;
    const perByte = (2 * (e.sramPjPerByte + e.hbmPjPerByte) + factor * f.hops * 8 * f.pjPerBit) * 1e-12;
    // Not power-bound at fromBytes where its time (at least `was`) exceeds the energy over the headroom.
    if (!(was > ((perByte * fromBytes) / headroomW) * (1 + 1e-9))) growth = Math.min(growth, (perByte * d) / headroomW);
  }
  return growth === growth ? (growth > 0 ? growth * (1 - 1e-9) : 0) : NaN;
}
