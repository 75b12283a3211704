import type { AlgorithmLaw, AllReducePolicy, CollectiveAlgorithm, KernelParams } from './params.js';

/**
 * Alpha-beta laws of the collective algorithms, per message size S (bytes per chip), group size g
 * and a fabric's per-chip bandwidth B (one direction, all the links the algorithm drives):
 *   ring all-reduce       start + 2 r (step + hop) + 2 (g-1)/g S / (B eta)      r = ring steps per phase
 *   tree all-reduce       start + 2 ceil(log2 g) (step + hop) + 2 (g-1)/g S / (B eta)   (scale-out only)
 *   one-shot all-reduce   start + (g-1) step + max((g-1) S / (B eta), g C c)   each chip reads every peer's whole buffer;
 *                         C: bytes of the busiest core (oneShotCoreBytes), c: its seconds per byte (coreSecPerByte)
 *   two-shot all-reduce   start + 2 (g-1) step + 2 (g-1)/g S / (B eta)   reduce-scatter then all-gather by direct writes
 *   (step: the cost per peer of signalling it, flags written to and polled from each peer, once per phase)
 *   in-switch all-reduce  start + S / (B eta)             the switch adds (NVLink SHARP): S up, S down
 *   ring all-gather, reduce-scatter   start + r (step + hop) + (g-1)/g S / (B eta)
 *   (each ring with either protocol, bulk or low-latency, whichever is faster at S)
 *   all-to-all            start + hops x hop + max((g-1)/g S / (B eta), bisection bound)
 * An all-reduce takes the fastest algorithm the fabric offers, or the algorithm its library's
 * policy picks by message size (AllReducePolicy, src/kernels/params.ts: e.g. TensorRT-LLM 1.0 on A100
 * runs one-shot up to 128 tokens, whatever the model's width, and hands larger messages to NCCL).
 * start, step and eta are fitted per algorithm on the measured collective tables
 * (data/kernel-params.json); hop is the design's own link latency.
 */
export interface CollectiveFabric {
  /** Per-chip bandwidth the algorithm drives, bytes/s, one direction, before efficiency. */
  bandwidth: number;
  /** The design's per-hop link latency, seconds. */
  hopSec: number;
  /** Ring steps per reduce-scatter (or all-gather) phase. */
  ringSteps: number;
  /** Chips reach each other directly (switch, fully connected): one-shot, two-shot and direct all-to-all work. */
  direct: boolean;
  /** The switch reduces in-network (NVLink SHARP style). */
  inSwitchReduction: boolean;
  /** Scale-out networks also run trees. */
  tree: boolean;
}

export interface AlgorithmChoice {
  timeSec: number;
  algorithm: CollectiveAlgorithm;
}

const ringSec = (law: AlgorithmLaw, f: CollectiveFabric, steps: number, bytes: number) => law.startSec + steps * (law.stepSec + f.hopSec) + bytes / (f.bandwidth * law.busEfficiency);
const directSec = (law: AlgorithmLaw, f: CollectiveFabric, bytes: number, peerSignals = 0) => law.startSec + peerSignals * law.stepSec + bytes / (f.bandwidth * law.busEfficiency);

/** Threads of a one-shot core move 16 bytes each and a core (thread block) gets at least 128 of them. */
const ROW_BYTES_PER_CORE = 16 * 128;

/**
 * The bytes of one row share the busiest core moves per peer in a one-shot all-reduce of S bytes
 * made of rows of `rowBytes` (a token's activation: the model's width in the reduction format), on
 * a chip of `cores` cores whose library spreads a row over at most `maxRowCores` of them. After
 * TensorRT-LLM's one-shot kernel (cpp/tensorrt_llm/kernels/communicationKernels/
 * allReduceFusionKernels.cu: IndexHelper gives a block, or a cluster of blocks on SM90 and later, one
 * token at a time; allreduce_fusion_kernel_launcher sizes the cluster so that each block keeps at
 * least 128 threads of 16-byte accesses, shrinks it while the rows' clusters outnumber the SMs, and
 * launches at most one block per SM): a row goes to min(maxRowCores, rowBytes / 2 KiB, cores / rows)
 * cores (at least 1), and the cores take the rows in ceil(rows / (cores / that)) rounds. 0 when
 * the message has no rows (a flat buffer spreads over every core) or the chip no cores.
 */
export function oneShotCoreBytes(S: number, rowBytes: number, cores: number, maxRowCores: number): number {
  if (rowBytes <= 0 || cores <= 0) return 0;
  const rows = Math.ceil(S / rowBytes);
  const perRow = Math.max(1, Math.floor(Math.min(maxRowCores, rowBytes / ROW_BYTES_PER_CORE, cores / rows)));
  const rounds = Math.ceil(rows / Math.floor(cores / perRow));
  return (rounds * Math.min(S, rowBytes)) / perRow;
}

/**
 * The fastest all-reduce of S bytes among g chips. `allowed` restricts the algorithms (the
 * calibration times NCCL, which has no one-shot or two-shot kernel, with its own set). A ring on a
 * tree fabric (scale-out) has g - 1 steps per phase. `coreBytes`: what the busiest core of a one-shot
 * moves per peer (oneShotCoreBytes; 0: no per-core bound).
 */
export function allReduceSec(f: CollectiveFabric, S: number, g: number, p: KernelParams['collectives'], allowed?: ReadonlySet<CollectiveAlgorithm>, coreBytes = 0): AlgorithmChoice {
  const share = (g - 1) / g;
  let timeSec = Infinity;
  let algorithm: CollectiveAlgorithm = 'ring';
  const ringSteps = 2 * (f.tree ? g - 1 : f.ringSteps);
  if (!allowed || allowed.has('ring')) timeSec = ringSec(p.ring, f, ringSteps, 2 * share * S);
  if (!allowed || allowed.has('ringLowLatency')) {
    const t = ringSec(p.ringLowLatency, f, ringSteps, 2 * share * S);
    if (t < timeSec) {
      timeSec = t;
      algorithm = 'ringLowLatency';
    }
  }
  if (f.tree && (!allowed || allowed.has('tree'))) {
    const t = ringSec(p.tree, f, 2 * Math.ceil(Math.log2(Math.max(2, g))), 2 * share * S);
    if (t < timeSec) {
      timeSec = t;
      algorithm = 'tree';
    }
  }
  if (f.direct && (!allowed || allowed.has('oneShot'))) {
    const law = p.oneShot;
    const t = law.startSec + (g - 1) * law.stepSec + Math.max(((g - 1) * S) / (f.bandwidth * law.busEfficiency), g * coreBytes * law.coreSecPerByte);
    if (t < timeSec) {
      timeSec = t;
      algorithm = 'oneShot';
    }
  }
  if (f.direct && (!allowed || allowed.has('twoShot'))) {
    const t = directSec(p.twoShot, f, 2 * share * S, 2 * (g - 1));
    if (t < timeSec) {
      timeSec = t;
      algorithm = 'twoShot';
    }
  }
  if (f.inSwitchReduction && (!allowed || allowed.has('inSwitch'))) {
    const t = directSec(p.inSwitch, f, S);
    if (t < timeSec) {
      timeSec = t;
      algorithm = 'inSwitch';
    }
  }
  return { timeSec, algorithm };
}

const ONE_SHOT: ReadonlySet<CollectiveAlgorithm> = new Set(['oneShot']);
const TWO_SHOT: ReadonlySet<CollectiveAlgorithm> = new Set(['twoShot']);
/** What a library hands its large all-reduces to (NCCL): rings of either protocol, a tree across nodes, in-switch reduction. */
export const LIBRARY_ALL_REDUCE: ReadonlySet<CollectiveAlgorithm> = new Set(['ring', 'ringLowLatency', 'tree', 'inSwitch']);

/**
 * The algorithms an all-reduce of S bytes per chip, in rows of `rowBytes` (0: a flat buffer), may
 * use under `policy` on a fabric whose chips reach each other directly (`direct`) or not: all of
 * them (undefined) under 'fastest' or without direct peer access (no one- or two-shot kernel to
 * choose); else one-shot, two-shot or the library's, by the thresholds: in tokens (S / rowBytes)
 * for a message of rows, in bytes for a flat buffer (AllReducePolicy, src/kernels/params.ts).
 */
export function policyAlgorithms(policy: AllReducePolicy | undefined, direct: boolean, S: number, rowBytes = 0): ReadonlySet<CollectiveAlgorithm> | undefined {
  if (!policy || policy.selection === 'fastest' || !direct) return undefined;
  return rowBytes > 0 ? byThresholds(S / rowBytes, policy.oneShotMaxTokens, policy.twoShotMaxTokens) : byThresholds(S, policy.oneShotMaxBytes, policy.twoShotMaxBytes);
}

/** One-shot up to `oneShotMax`, two-shot up to `twoShotMax`, then the library's, for a message of `size` (tokens or bytes). */
function byThresholds(size: number, oneShotMax: number, twoShotMax: number): ReadonlySet<CollectiveAlgorithm> {
  if (size <= oneShotMax) return ONE_SHOT;
  if (size <= twoShotMax) return TWO_SHOT;
  return LIBRARY_ALL_REDUCE;
}

/** Ring all-gather or reduce-scatter of S bytes (the gathered size, or each chip's input). */
export function gatherScatterSec(f: CollectiveFabric, S: number, g: number, p: KernelParams['collectives']): number {
  const steps = f.tree ? Math.ceil(Math.log2(Math.max(2, g))) : f.ringSteps;
  const bytes = ((g - 1) / g) * S;
  return Math.min(ringSec(p.ring, f, steps, bytes), ringSec(p.ringLowLatency, f, steps, bytes));
}

/** All-to-all of S bytes per chip; `bisectionSec` is the fabric's bisection-bound time for it (0 when injection bounds). */
export function allToAllSec(f: CollectiveFabric, S: number, g: number, hops: number, bisectionSec: number, p: KernelParams['collectives']): number {
  const law = p.allToAll;
  return law.startSec + hops * f.hopSec + Math.max((((g - 1) / g) * S) / (f.bandwidth * law.busEfficiency), bisectionSec / law.busEfficiency);
}

/** A point-to-point send of S bytes over `hops` links to a neighbour with `neighbourBandwidth`. */
export function sendSec(f: CollectiveFabric, S: number, neighbourBandwidth: number, hops: number, p: KernelParams['collectives']): number {
  const law = p.ring;
  return law.startSec + hops * f.hopSec + S / (neighbourBandwidth * law.busEfficiency);
}
