import type { Interconnect } from '../chip/chip.js';
import { allReduceSec, allToAllSec, gatherScatterSec, oneShotCoreBytes, policyAlgorithms, sendSec, type CollectiveFabric } from '../kernels/collective-laws.js';
import { FASTEST_ALL_REDUCE, type AllReducePolicy, type CollectiveAlgorithm, type KernelParams } from '../kernels/params.js';
import type { CollectiveOp } from '../workload/step.js';

type CollectiveLaws = KernelParams['collectives'];

/**
 * Time and link energy of one collective among `groupSize` chips, each holding `bytes`.
 *
 * Times are the alpha-beta laws of src/kernels/collective-laws.ts (an all-reduce takes the fastest
 * of ring, one-shot, two-shot and in-switch reduction that the fabric offers, or the one the
 * design's all-reduce policy picks by message size inside a pod), with the start-up,
 * step latency and bus efficiency of each algorithm fitted on measured collectives
 * (data/kernel-params.json). The fabric sets the bandwidth B a chip can drive and the ring steps:
 *   switch           B = all links; ring of g - 1 steps; direct peer access; in-switch reduction if the design says so
 *   fully connected  B = the links to the g - 1 peers; one step; direct peer access
 *   ring, torus      B = the links of the dimensions the group spans (bidirectional rings per torus
 *                    dimension, all dimensions at once); sum(n_i - 1) steps; all-to-all bounded by
 *                    the bisection S n / (8 b_dim) on a torus of side n
 *   scale-out        B = the chip's scale-out bandwidth; ring or tree (log2 g rounds)
 * Groups larger than a pod run hierarchically: inside the pod on its links, across pods on the
 * scale-out network with 1/g_inner of the data (reduce-scatter, all-reduce across, all-gather).
 */
export interface CollectiveCost {
  timeSec: number;
  /** Bytes each chip puts on links, hop count included. */
  linkBytes: number;
  energyJ: number;
  tier: 'pod' | 'scale-out' | 'none';
}

const NONE: CollectiveCost = { timeSec: 0, linkBytes: 0, energyJ: 0, tier: 'none' };

export interface Fabric extends CollectiveFabric {
  /** Bandwidth to one neighbour, for point-to-point sends (before efficiency). */
  neighbourBandwidth: number;
  /** Link traversals per byte: 2 through a switch, 1 between neighbours. */
  hops: number;
  /** Average hops of an all-to-all message (torus: sum of n_i / 4). */
  a2aHops: number;
  /** Bisection-limited all-to-all time per byte of S at full link rate, 0 where injection is the bound. */
  a2aBisectionSecPerByte: number;
  pjPerBit: number;
  topology: Interconnect['topology'] | 'scale-out';
}

/**
 * How a group of g chips sits on the pod's torus or mesh: as the most balanced sub-block that
 * fits the pod's sides (12 chips of a 16x16x16 torus as 3x2x2), so that it drives links in as many
 * dimensions as it can. Falls back to filling dimensions in order when no exact factorization fits.
 */
export function groupShape(ic: Interconnect, g: number): number[] {
  return groupShapeOf(ic.shape, g).slice();
}

/**
 * Group shapes memoized by the pod's sides and g, their content (a chip's shape array may
 * change): a hash of the numbers finds a bucket, whose entries are compared number by number.
 * Every new chip asks again (a search builds one per design), and a string key costs more than
 * the whole lookup here.
 */
interface GroupShapeEntry {
  sides: readonly number[];
  g: number;
  shape: readonly number[];
}
const GROUP_SHAPES = new Map<number, GroupShapeEntry[]>();
const GROUP_SHAPES_KEPT = 4096;

function groupShapeOf(sides: readonly number[], g: number): readonly number[] {
  if (sides.length === 1) return [g];
  let hash = g;
  for (let i = 0; i < sides.length; i++) hash = hash * 31 + sides[i];
  let bucket = GROUP_SHAPES.get(hash);
  if (bucket) {
    for (const e of bucket) if (e.g === g && sameNumbers(e.sides, sides)) return e.shape;
  } else {
    if (GROUP_SHAPES.size > GROUP_SHAPES_KEPT) GROUP_SHAPES.clear();
    GROUP_SHAPES.set(hash, (bucket = []));
  }
  // Kept here only: callers get copies (groupShape) or derive new arrays (podFabric).
  const shape = searchGroupShape(sides, g);
  bucket.push({ sides: [...sides], g, shape });
  return shape;
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function searchGroupShape(podSides: readonly number[], g: number): number[] {
  const sides = [...podSides].sort((a, b) => b - a);
  let best: number[] | undefined;
  const search = (left: number, i: number, acc: number[]) => {
    if (i === sides.length) {
      if (left === 1 && (!best || Math.max(...acc) < Math.max(...best))) best = [...acc];
      return;
    }
    for (let f = 1; f <= Math.min(left, sides[i]); f++) if (left % f === 0) search(left / f, i + 1, [...acc, f]);
  };
  search(g, 0, []);
  if (best) return best.filter((n) => n > 1).sort((a, b) => b - a);
  const dims: number[] = [];
  let left = g;
  for (const side of sides) {
    if (left <= 1) break;
    const take = Math.min(side, left);
    dims.push(take);
    left = Math.ceil(left / take);
  }
  return dims;
}

function podFabric(ic: Interconnect, g: number, linkPjPerBit: number): Fabric {
  const L = ic.linksPerChip;
  const bw = ic.linkBytesPerSec;
  const hopSec = ic.linkLatencySec;
  const topology = ic.topology;
  switch (topology) {
    case 'switch':
      return { bandwidth: L * bw, neighbourBandwidth: L * bw, hopSec, ringSteps: g - 1, direct: true, inSwitchReduction: ic.inSwitchReduction, tree: false, hops: 2, a2aHops: 2, a2aBisectionSecPerByte: 0, pjPerBit: linkPjPerBit, topology };
    case 'fully-connected': {
      const perPeer = L / Math.max(1, ic.chipsPerPod - 1);
      return { bandwidth: perPeer * (g - 1) * bw, neighbourBandwidth: perPeer * bw, hopSec, ringSteps: 1, direct: true, inSwitchReduction: false, tree: false, hops: 1, a2aHops: 1, a2aBisectionSecPerByte: 0, pjPerBit: linkPjPerBit, topology };
    }
    case 'ring':
      return { bandwidth: L * bw, neighbourBandwidth: (L / 2) * bw, hopSec, ringSteps: g - 1, direct: false, inSwitchReduction: false, tree: false, hops: 1, a2aHops: g / 4, a2aBisectionSecPerByte: g / (8 * (L / 2) * bw), pjPerBit: linkPjPerBit, topology };
    default: {
      const k = ic.shape.length;
      const wrap = topology.startsWith('torus');
      const shape = groupShapeOf(ic.shape, g);
      // The group's sides over 1, in order: how many, the largest, and the two sums over them (the
      // same additions in the same order as a filter and two reduces, without their arrays and closures).
      let used = 0;
      let maxSide = 1;
      let ringSteps = 0;
      let a2aHops = 0;
      for (let i = 0; i < shape.length; i++) {
        const n = shape[i];
        if (!(n > 1)) continue;
        used++;
        if (n > maxSide) maxSide = n;
        ringSteps = ringSteps + (n - 1);
        a2aHops = a2aHops + n / 4;
      }
      const perNeighbour = (L / (2 * k)) * bw;
      // A bidirectional ring per dimension drives both neighbours; a line (mesh) only one way.
      const perDim = wrap ? 2 * perNeighbour : perNeighbour;
      if (used < 1) used = 1;
      const bisectionLinks = wrap ? 2 : 1;
      return {
        bandwidth: used * perDim,
        neighbourBandwidth: perNeighbour,
        hopSec,
        ringSteps,
        direct: false,
        inSwitchReduction: false,
        tree: false,
        hops: 1,
        a2aHops: a2aHops || 1,
        a2aBisectionSecPerByte: maxSide / (4 * bisectionLinks * perNeighbour),
        pjPerBit: linkPjPerBit,
        topology,
      };
    }
  }
}

function scaleOutFabric(ic: Interconnect): Fabric | undefined {
  const so = ic.scaleOut;
  if (!so) return undefined;
  const bw = so.bytesPerSec;
  return { bandwidth: bw, neighbourBandwidth: bw, hopSec: so.latencySec, ringSteps: 0, direct: false, inSwitchReduction: false, tree: true, hops: 2, a2aHops: 2, a2aBisectionSecPerByte: 0, pjPerBit: so.pjPerBit, topology: 'scale-out' };
}

/**
 * Fabrics of one interconnect by group size: the same few groups recur in every step of a trace.
 * A cache lives for one evaluation (see eval/context.ts), so a chip changed between evaluations
 * gets fabrics of its new figures.
 */
export interface FabricCache {
  get(g: number): Fabric | undefined;
  set(g: number, f: Fabric): unknown;
}

/** The fabric collectiveCost uses for a group of `g` inside one pod, kept in (or taken from) `fabrics`. */
export function cachedPodFabric(ic: Interconnect, g: number, linkPjPerBit: number, fabrics: FabricCache | undefined): Fabric {
  if (!fabrics) return podFabric(ic, g, linkPjPerBit);
  let f = fabrics.get(g);
  if (!f || f.pjPerBit !== linkPjPerBit) fabrics.set(g, (f = podFabric(ic, g, linkPjPerBit)));
  return f;
}

function flat(f: Fabric, op: CollectiveOp, S: number, g: number, laws: CollectiveLaws, allowed?: ReadonlySet<CollectiveAlgorithm>, policy?: AllReducePolicy, rowBytes = 0, cores = 0): { timeSec: number; linkBytes: number } {
  const share = (g - 1) / g;
  switch (op) {
    case 'all-reduce': {
      const coreBytes = f.direct ? oneShotCoreBytes(S, rowBytes, cores, (policy ?? FASTEST_ALL_REDUCE).maxRowCores) : 0;
      const best = allReduceSec(f, S, g, laws, allowed ?? policyAlgorithms(policy, f.direct, S, rowBytes), coreBytes);
      const perChip = best.algorithm === 'oneShot' ? (g - 1) * S : best.algorithm === 'inSwitch' ? S : 2 * share * S;
      return { timeSec: best.timeSec, linkBytes: perChip * f.hops };
    }
    case 'all-gather':
    case 'reduce-scatter':
      return { timeSec: gatherScatterSec(f, S, g, laws), linkBytes: share * S * f.hops };
    case 'all-to-all':
      return { timeSec: allToAllSec(f, S, g, Math.max(1, Math.ceil(f.a2aHops)), S * f.a2aBisectionSecPerByte, laws), linkBytes: share * S * f.a2aHops };
    case 'send':
      return { timeSec: sendSec(f, S, f.neighbourBandwidth, f.hops, laws), linkBytes: S * f.hops };
  }
}

/**
 * @param innerChips chips of the parallel groups nested inside this one (tensor inside data, say):
 *   a group spans `groupSize * innerChips` consecutive chips and leaves the pod when that exceeds it.
 * @param fabrics where to keep the fabrics of `ic` for the rest of one evaluation (none: built afresh).
 */
export function collectiveCost(
  ic: Interconnect,
  linkPjPerBit: number,
  op: CollectiveOp,
  bytes: number,
  groupSize: number,
  innerChips: number,
  laws: CollectiveLaws,
  fabrics?: FabricCache,
  /** Restricts the all-reduce algorithms inside a pod (the calibration times NCCL with NCCL's own). */
  allowed?: ReadonlySet<CollectiveAlgorithm>,
  /** How an all-reduce inside a pod picks its algorithm (the design's kernels.allReduce); `allowed` takes precedence. */
  policy?: AllReducePolicy,
  /** Bytes of one row (token) of the buffer, the step's rowBytes (0: a flat buffer), and the chip's cores: a one-shot's busiest core. */
  rowBytes = 0,
  cores = 0,
): CollectiveCost | { error: string } {
  if (groupSize <= 1 || bytes <= 0) return NONE;
  const span = groupSize * innerChips;
  if (span <= ic.chipsPerPod) {
    const f = cachedPodFabric(ic, groupSize, linkPjPerBit, fabrics);
    const r = flat(f, op, bytes, groupSize, laws, allowed, policy, rowBytes, cores);
    return { timeSec: r.timeSec, linkBytes: r.linkBytes, energyJ: r.linkBytes * 8 * f.pjPerBit * 1e-12, tier: 'pod' };
  }
  const so = scaleOutFabric(ic);
  if (!so) return { error: `a ${groupSize}-chip ${op} spans ${span} chips but a pod holds ${ic.chipsPerPod} and the design has no interconnect.scaleOut network` };
  const inner = Math.max(1, Math.min(groupSize, Math.floor(ic.chipsPerPod / innerChips)));
  const outer = groupSize / inner;
  const pod = cachedPodFabric(ic, inner, linkPjPerBit, fabrics);
  const parts: { timeSec: number; linkBytes: number; pj: number }[] = [];
  const add = (f: Fabric, o: CollectiveOp, S: number, g: number) => {
    if (g <= 1) return;
    const r = flat(f, o, S, g, laws);
    parts.push({ ...r, pj: f.pjPerBit });
  };
  switch (op) {
    case 'all-reduce':
      add(pod, 'reduce-scatter', bytes, inner);
      add(so, 'all-reduce', bytes / inner, outer);
      add(pod, 'all-gather', bytes, inner);
      break;
    case 'all-gather':
    case 'reduce-scatter':
      add(pod, op, bytes, inner);
      add(so, op, bytes / inner, outer);
      break;
    case 'all-to-all':
      add(pod, 'all-to-all', bytes / outer, inner);
      add(so, 'all-to-all', bytes, outer);
      break;
    case 'send':
      add(so, 'send', bytes, 2);
      break;
  }
  const timeSec = parts.reduce((s, p) => s + p.timeSec, 0);
  const linkBytes = parts.reduce((s, p) => s + p.linkBytes, 0);
  const energyJ = parts.reduce((s, p) => s + p.linkBytes * 8 * p.pj * 1e-12, 0);
  return { timeSec, linkBytes, energyJ, tier: 'scale-out' };
}
