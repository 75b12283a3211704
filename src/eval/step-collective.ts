import { cachedPodFabric, type Fabric } from '../interconnect/collectives.js';
import { allReduceSec, oneShotCoreBytes, policyAlgorithms } from '../kernels/collective-laws.js';
import { FASTEST_ALL_REDUCE } from '../kernels/params.js';
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
 * with `o` untouched, for any other collective (another op, a group that leaves the pod, no
 * bytes): measureStep then. The group's fabric is built into the context where it is not yet, as
 * collectiveCost builds it (the first all-reduce of an evaluation took measureStep for that alone:
 * 2.7% of a serve-auto profile; bench/NOTES.md, e33).
 */
export function podAllReduceTimes(cx: ChipContext, s: CollectiveStep, p: Placement, o: StepScratch): boolean {
  const chip = cx.chip;
  const ic = chip.interconnect;
  const g = s.groupSize;
  const S = s.bytes;
  if (s.op !== 'all-reduce' || g <= 1 || S <= 0 || g * (p.innerChips[s.group] ?? 1) > ic.chipsPerPod) return false;
  const e = chip.energy;
  // collectiveCost's pod tier: the fabric it would build and keep in the context, built here where it is not yet.
  const f: Fabric = cachedPodFabric(ic, g, e.linkPjPerBit, cx.fabrics);
  const kp = chip.kernels;
  const share = (g - 1) / g;
  let commSec: number;
  let perChip: number;
  if (!f.direct && !f.tree && !f.inSwitchReduction) {
    // allReduceSec where only the rings run (no direct peers, so no policy and no one- or two-shot;
    // no tree; no in-switch reduction): the bulk ring, then the low-latency one where faster, the
    // same operations in the same order (allReduceSec is past the inlining budget: a call and a
    // result object per all-reduce otherwise).
    const laws = kp.collectives;
    const steps = 2 * f.ringSteps;
    const ring = laws.ring;
    const ll = laws.ringLowLatency;
    commSec = ring.startSec + steps * (ring.stepSec + f.hopSec) + (2 * share * S) / (f.bandwidth * ring.busEfficiency);
    const t = ll.startSec + steps * (ll.stepSec + f.hopSec) + (2 * share * S) / (f.bandwidth * ll.busEfficiency);
    if (t < commSec) commSec = t;
    perChip = 2 * share * S;
  } else {
    const policy = kp.allReduce;
    // flat(f, 'all-reduce', ...) with no algorithms imposed.
    const coreBytes = f.direct ? oneShotCoreBytes(S, s.rowBytes, chip.cores, (policy ?? FASTEST_ALL_REDUCE).maxRowCores) : 0;
    const best = allReduceSec(f, S, g, kp.collectives, policyAlgorithms(policy, f.direct, S, s.rowBytes), coreBytes);
    perChip = best.algorithm === 'oneShot' ? (g - 1) * S : best.algorithm === 'inSwitch' ? S : 2 * share * S;
    commSec = best.timeSec;
  }
  const linkBytes = perChip * f.hops;
  const eInterconnect = linkBytes * 8 * f.pjPerBit * 1e-12;
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
