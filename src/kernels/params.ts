/**
 * The fitted parameters of the kernel efficiency laws (src/kernels/*.ts): their types, and what
 * each one means. The values live in data/kernel-params.json, written by `fitKernels`
 * (src/calibrate/kernel-fit.ts) from measured GPU kernel tables of NVIDIA AIConfigurator
 * (Apache-2.0; attribution in that file and in docs/kernel-calibration.md). A design may override
 * any of them under `kernels` (src/kernels/schema.ts).
 */

/**
 * Matrix lanes with their own GEMM parameters: the compute format and whether its operands carry
 * block scales. fp16 and fp32 use the bf16 lane, integer formats the int8 lane (the only integer
 * lane measured: A100 SmoothQuant), every block-scaled 4-bit or narrower format the fp4_block lane.
 */
export const GEMM_LANES = ['bf16', 'fp8', 'fp8_block', 'fp4_block', 'int8'] as const;
export type GemmLane = (typeof GEMM_LANES)[number];

/**
 * A compute kernel whose work is cut into output tiles (GEMM, prefill attention):
 *   time = launchSec + (matrix^p + vector^p + sram^p + hbm^p + dram^p)^(1/p)
 *   matrix = padded MACs x waveFactor x (1 + kOverhead splits / K) / (peak x efficiency)
 *   vector = vector FLOPs / (vector peak x vectorEfficiency)
 *   hbm = HBM bytes / (HBM bandwidth x hbmEfficiency)
 * waveFactor = 1 - waveWeight + waveWeight ceil(waves) / waves, waves = work items x splits / slots,
 * slots = matrix units / unitsPerItem; with fewer items than slots the inner loop is split
 * min(slots / items, K / tile, maxSplits) ways.
 */
export interface ComputeLaw {
  /** Fraction of the lane's peak MAC rate reached inside a tile's main loop. */
  efficiency: number;
  /** Matrix units one work item occupies (a GPU thread block holds an SM's four tensor cores). */
  unitsPerItem: number;
  /** Fraction of the vector unit's peak reached by the kernel's vector work (softmax's exponentials cost several FLOPs). */
  vectorEfficiency: number;
  /** Fixed time per kernel call (launch, prologue, epilogue): seconds. */
  launchSec: number;
  /** Extra K-loop steps per work item (pipeline fill and drain), in elements of K. */
  kOverhead: number;
  /** Most ways a work item's inner loop is split to fill idle units (split-K). */
  maxSplits: number;
  /** How much of the last partial wave of tiles is paid for: 0 none, 1 all of it. */
  waveWeight: number;
  /** p of the p-norm that overlaps compute, SRAM and HBM time: 1 adds them, large p takes the largest (a whole number, for speed). */
  overlap: number;
  /** Fraction of peak HBM bandwidth the kernel's operand streams reach. */
  hbmEfficiency: number;
}

/**
 * Decode attention: memory-bound on the KV cache read, with a parallelism limit over the chip's
 * independent cores and a fixed cost per work item.
 *   time = launch + (compute^p + sram^p + hbm^p)^(1/p)
 *   launch = groupedLaunchSec when several query rows share a KV head (the grouped-query kernel,
 *       TensorRT-LLM's XQA), launchSec when each KV head serves one query row (another kernel)
 *   compute = MACs / (peak x efficiency) + vector work + items x (itemBytes x g + rowFactor x rowBytes) / SRAM bandwidth
 *   g = groupedItemFactor when several query rows share a KV head (grouped-query attention, run
 *       through the matrix unit), 1 when each KV head serves one query row (multi-head decode)
 *   rowBytes = the query and output rows one KV head serves (query rows x (qkDim + vDim) x bytes)
 *   hbm = bytes / (HBM bandwidth x hbmEfficiency x u), u = x / (1 + x), x = items / (cores x occupancy)
 *   items = batch x kvHeads x splits, splits = decodeSplits(context, batch x kvHeads, cores)
 *       (src/kernels/time.ts): each sequence's KV split into chunks of at least 128 tokens, at
 *       most about sqrt(8 x chunks) of them (each split adds a partial output to reduce), and no
 *       more than fill 8 waves of the cores.
 * A share `exposedItemShare` of the items' fixed work is not overlapped but added:
 *   time = launch + exposedItemShare x items x idle x itemBytes' / SRAM bandwidth
 *              + (compute'^p + sram^p + hbm^p)^(1/p),
 *   compute' counting the rest, (1 - exposedItemShare) x items x itemBytes' (itemBytes' = itemBytes x g +
 *   rowFactor x rowBytes). A kernel that runs one block per core and starts its read only after
 *   a block's prologue (loading Q, setting up its pipeline), and reduces only after it, pays that
 *   work once per wave of blocks on top of the read: TensorRT-LLM's Hopper XQA kernel for an fp8
 *   cache (mha_sm90.cu: warp-specialized, 3 x 128 threads per block, double-buffered 64-token K
 *   and V tiles). A level of each measured GPU in the 8-bit lane (DECODE_EXPOSED_LANES below); 0 in the
 *   shared laws (every chip not measured) and in the 16-bit lane.
 * The parallelism is the chip's cores (GPU SMs, TPU TensorCores: compute.cores), not its matrix
 * units: a decode read is split into independent work items, one core each, and a core's matrix
 * units share its items. The per-item cost is on-chip work (load Q, rescale the running softmax,
 * write and later reduce a partial output), so it is counted in on-chip bytes at the chip's SRAM
 * bandwidth: a chip with few large cores (a TPU) spends per item what its wide on-chip memory
 * takes, not what a GPU SM does. Part of it grows with the query rows and head width an item
 * carries (rowFactor: loading Q, and writing and reducing a partial output of that size).
 */
export interface DecodeAttentionLaw {
  efficiency: number;
  /** On-chip bytes-equivalent of one work item's fixed work besides its K+V bytes (load Q, reduce, write out), at the SRAM bandwidth. */
  itemBytes: number;
  /** Per-item time of grouped-query decode over that of one query row per KV head. */
  groupedItemFactor: number;
  launchSec: number;
  overlap: number;
  hbmEfficiency: number;
  /** On-chip bytes-equivalent per work item for each byte of the query and output rows it serves (load Q, write and reduce its partial output), at the SRAM bandwidth. */
  rowFactor: number;
  /** Work items per core at which the read reaches half its bandwidth. */
  occupancy: number;
  /** Fixed time per call of the grouped-query kernel (several query rows per KV head), seconds: another kernel than the one-row-per-head decode. */
  groupedLaunchSec: number;
  /** Share of the per-item fixed work paid in series with the KV read instead of overlapped with it (0: all overlapped, in the p-norm; 1: all added). */
  exposedItemShare: number;
}

/** A memory-bound kernel: time = launchSec + bytes / (HBM bandwidth x hbmEfficiency). */
export interface StreamLaw {
  launchSec: number;
  hbmEfficiency: number;
}

/** MoE grouped GEMM: the lane's GEMM law, its efficiency scaled by `efficiency`, with its own launch time. */
export interface GroupedGemmLaw {
  efficiency: number;
  launchSec: number;
}

/**
 * One collective algorithm, alpha-beta:
 *   time = startSec + steps x stepSec + (bytes each chip must move) / (link bandwidth x busEfficiency).
 * `steps` is the algorithm's number of dependent rounds (g - 1 per ring phase, log2 g for a tree, none
 * for in-switch and all-to-all, whose start-up covers their rounds); for one-shot and two-shot it
 * counts the peers each chip signals (g - 1 per phase: flags written to and polled from each peer,
 * one after another), their stepSec the cost per peer.
 */
export interface AlgorithmLaw {
  startSec: number;
  stepSec: number;
  busEfficiency: number;
}

/**
 * One-shot all-reduce: an alpha-beta law whose copy term is the slower of the fabric's and that of
 * the busiest core. TensorRT-LLM's one-shot kernel gives each row (token) of the message to one
 * core (thread block), or to a cluster of cores on chips that have clusters, and that core writes
 * its share of the row to every peer and reads the peers' shares back; a few rows therefore run on
 * a few cores, at the rate one core drives (collective-laws.ts, oneShotCoreBytes).
 */
export interface OneShotLaw extends AlgorithmLaw {
  /** Seconds per byte one core moves to (or from) a peer: 1 / its copy rate. */
  coreSecPerByte: number;
}

export const DECODE_LANES = ['kv16', 'kv8'] as const;
export type DecodeLane = (typeof DECODE_LANES)[number];
/**
 * Decode lanes whose exposedItemShare is a level of each measured GPU (fitted by the calibration,
 * src/calibrate/kernel-fit.ts): the 8-bit lane, whose Hopper kernel is XQA's warp-specialized GMMA
 * kernel (mha_sm90.cu). The shared laws (every chip not measured) and the 16-bit lane keep 0.
 */
export const DECODE_EXPOSED_LANES: ReadonlySet<DecodeLane> = new Set(['kv8']);

/** The decode-attention lane of a KV cache holding `valueBytes` bytes per value (scales included). */
export const decodeLane = (valueBytes: number): DecodeLane => (valueBytes <= 1.1 ? 'kv8' : 'kv16');

/**
 * `ring` is the bulk-protocol ring (large messages), `ringLowLatency` the same ring with a
 * low-latency protocol (NCCL's LL/LL128: less start-up, less bandwidth); a ring collective takes
 * the faster of the two at its size.
 */
export const COLLECTIVE_ALGORITHMS = ['ring', 'ringLowLatency', 'tree', 'oneShot', 'twoShot', 'inSwitch', 'allToAll'] as const;
export type CollectiveAlgorithm = (typeof COLLECTIVE_ALGORITHMS)[number];

/**
 * How an all-reduce inside a pod picks its algorithm: what the serving engine's communication
 * library does, which need not be the fastest algorithm at each size.
 *   'fastest'     the fastest algorithm the fabric offers at each message size (the shared
 *                 default: a chip not yet built is evaluated with a library tuned to it)
 *   'thresholds'  a fixed policy by message size: one-shot up to the one-shot threshold, two-shot
 *                 up to the two-shot threshold (none when it is not above the one-shot's), larger
 *                 messages handed to the collective library (NCCL: the fastest of ring, low-latency
 *                 ring and in-switch reduction where the switch has it). A message made of rows (a
 *                 token's activation, the step's rowBytes > 0) is measured in tokens, S / rowBytes,
 *                 against oneShotMaxTokens and twoShotMaxTokens, as the library decides (TensorRT-LLM
 *                 compares the tensor's first dimension, its token count, whatever the model's
 *                 width); a flat buffer (rowBytes 0: gradients, weights, K/V) in bytes per chip
 *                 against oneShotMaxBytes and twoShotMaxBytes.
 * A measured GPU's preset carries its measured library's policy (data/kernel-params.json,
 * perSystem; sources in src/calibrate/kernel-rows.ts, LIBRARY_ALL_REDUCE_POLICIES). On fabrics
 * without direct peer access (rings, tori, scale-out) there is no one- or two-shot kernel and the
 * policy changes nothing.
 */
export interface AllReducePolicy {
  selection: 'fastest' | 'thresholds';
  /** Messages with rows: the most tokens (S / rowBytes) that run one-shot. */
  oneShotMaxTokens: number;
  /** Messages with rows: the most tokens that run two-shot (above oneShotMaxTokens). */
  twoShotMaxTokens: number;
  /** Flat buffers (rowBytes 0): the most bytes per chip that run one-shot. */
  oneShotMaxBytes: number;
  /** Flat buffers: the most bytes per chip that run two-shot (above oneShotMaxBytes). */
  twoShotMaxBytes: number;
  /**
   * The most cores the one-shot kernel spreads one row over: TensorRT-LLM launches a cluster of up
   * to 8 thread blocks per row on SM90 and later and one block per row before (SM80, A100)
   * (cpp/tensorrt_llm/kernels/communicationKernels/allReduceFusionKernels.cu,
   * allreduce_fusion_kernel_launcher: cluster_size = SM >= 90 ? 8 : 1).
   */
  maxRowCores: number;
}
export const ALL_REDUCE_SELECTIONS = ['fastest', 'thresholds'] as const;
/**
 * The shared policy: the fastest algorithm at each size. Its thresholds, used only if a design
 * switches to 'thresholds', are TensorRT-LLM 1.0's: 128 tokens, no two-shot; for flat buffers the
 * same 128 rows of AIConfigurator's collector, 4,096 bf16 values wide, 1 MiB
 * (src/calibrate/kernel-rows.ts, LIBRARY_ALL_REDUCE_POLICIES). A parameter file written before the
 * policy existed reads as this (what it modeled).
 */
export const FASTEST_ALL_REDUCE: AllReducePolicy = { selection: 'fastest', oneShotMaxTokens: 128, twoShotMaxTokens: 128, oneShotMaxBytes: 1048576, twoShotMaxBytes: 1048576, maxRowCores: 8 };
/** Bounds of the policy's thresholds (tokens, or bytes up to 1 TB: any single message) and of the cores per row. */
export const ALL_REDUCE_POLICY_BOUNDS: Record<'oneShotMaxTokens' | 'twoShotMaxTokens' | 'oneShotMaxBytes' | 'twoShotMaxBytes' | 'maxRowCores', [number, number]> = {
  oneShotMaxTokens: [0, 1e9],
  twoShotMaxTokens: [0, 1e9],
  oneShotMaxBytes: [0, 1e12],
  twoShotMaxBytes: [0, 1e12],
  maxRowCores: [1, 64],
};

export interface KernelParams {
  gemm: Record<GemmLane, ComputeLaw>;
  /** Decode attention per KV-cache width: 16-bit and 8-bit (or narrower) caches run different kernels. */
  attention: { prefill: ComputeLaw; decode: Record<DecodeLane, DecodeAttentionLaw> };
  moe: GroupedGemmLaw;
  elementwise: StreamLaw;
  collectives: Record<Exclude<CollectiveAlgorithm, 'oneShot'>, AlgorithmLaw> & { oneShot: OneShotLaw };
  /** The all-reduce's algorithm selection (not fitted: a library's policy, from its source). */
  allReduce: AllReducePolicy;
}

/** Bounds of every parameter: what the fitter may try and what a design override may set. */
export const COMPUTE_LAW_BOUNDS: Record<keyof ComputeLaw, [number, number]> = {
  efficiency: [0.05, 1],
  unitsPerItem: [1, 16],
  vectorEfficiency: [0.01, 1],
  launchSec: [0, 1e-3],
  kOverhead: [0, 4096],
  maxSplits: [1, 64],
  waveWeight: [0, 1],
  overlap: [1, 8],
  hbmEfficiency: [0.05, 1],
};
export const DECODE_LAW_BOUNDS: Record<keyof DecodeAttentionLaw, [number, number]> = {
  efficiency: [0.05, 1],
  itemBytes: [0, 1e8],
  groupedItemFactor: [0.1, 20],
  launchSec: [0, 1e-3],
  overlap: [1, 8],
  hbmEfficiency: [0.05, 1],
  rowFactor: [0, 1000],
  occupancy: [0.01, 64],
  groupedLaunchSec: [0, 1e-3],
  exposedItemShare: [0, 1],
};
/** Parameters that take whole numbers only (the fitter rounds them; the schema checks them). */
export const INTEGER_PARAMETERS: ReadonlySet<string> = new Set(['overlap']);

export const STREAM_LAW_BOUNDS: Record<keyof StreamLaw, [number, number]> = { launchSec: [0, 1e-3], hbmEfficiency: [0.05, 1] };
export const GROUPED_LAW_BOUNDS: Record<keyof GroupedGemmLaw, [number, number]> = { efficiency: [0.05, 1], launchSec: [0, 1e-3] };
export const ALGORITHM_LAW_BOUNDS: Record<keyof AlgorithmLaw, [number, number]> = { startSec: [0, 1e-3], stepSec: [0, 1e-4], busEfficiency: [0.05, 1] };
/** A core copies at 1 GB/s or more (1e-9 s per byte); 0: no per-core bound. */
export const ONE_SHOT_LAW_BOUNDS: Record<keyof OneShotLaw, [number, number]> = { ...ALGORITHM_LAW_BOUNDS, coreSecPerByte: [0, 1e-9] };
