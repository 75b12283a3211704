import { z } from 'zod';
import {
  ALGORITHM_LAW_BOUNDS,
  ONE_SHOT_LAW_BOUNDS,
  ALL_REDUCE_POLICY_BOUNDS,
  ALL_REDUCE_SELECTIONS,
  COLLECTIVE_ALGORITHMS,
  FASTEST_ALL_REDUCE,
  COMPUTE_LAW_BOUNDS,
  DECODE_LAW_BOUNDS,
  GEMM_LANES,
  GROUPED_LAW_BOUNDS,
  INTEGER_PARAMETERS,
  STREAM_LAW_BOUNDS,
  type CollectiveAlgorithm,
  type GemmLane,
} from './params.js';

/**
 * Schemas of the kernel-law parameters: complete (the fitted file) and partial (a design's
 * `kernels` overrides). Every field is bounded (src/kernels/params.ts), so an override that would
 * make a law beat its roofline (an efficiency above 1) is rejected with its path.
 */
const DESCRIPTIONS: Record<string, string> = {
  efficiency: 'fraction of the peak MAC rate reached in the main loop (at most 1)',
  unitsPerItem: 'matrix units one work item (tile) occupies',
  vectorEfficiency: 'fraction of the vector peak reached by the kernel\'s vector work (at most 1)',
  itemBytes: 'on-chip bytes-equivalent of one decode-attention work item\'s fixed work besides its K+V bytes, at the SRAM bandwidth',
  groupedItemFactor: 'per-item time of grouped-query decode over that of one query row per KV head',
  launchSec: 'fixed time per kernel call, seconds',
  kOverhead: 'extra inner-loop steps per work item, in elements of K',
  maxSplits: 'most ways a work item\'s inner loop is split over idle units (split-K)',
  waveWeight: 'share of the last partial wave of tiles that is paid for, 0 to 1',
  overlap: 'p of the p-norm overlapping compute, SRAM and HBM time, a whole number from 1 (adds them) to 8 (nearly the largest)',
  hbmEfficiency: 'fraction of peak HBM bandwidth reached (at most 1)',
  rowFactor: 'on-chip bytes-equivalent per decode-attention work item for each byte of the query and output rows it serves, at the SRAM bandwidth',
  occupancy: 'decode-attention work items per core for half the bandwidth',
  groupedLaunchSec: 'fixed time per call of the grouped-query decode-attention kernel, seconds',
  exposedItemShare: 'share of the decode-attention work items\' fixed work paid in series with the KV read (0 overlapped, 1 added)',
  startSec: 'start-up latency of one collective call, seconds',
  stepSec: 'latency of one dependent step (ring or tree round) beyond the link hop, seconds',
  busEfficiency: 'fraction of the link bandwidth the algorithm reaches (at most 1)',
  coreSecPerByte: 'one-shot all-reduce: seconds per byte one core (thread block) copies to or from a peer, 1 / its copy rate (0: no per-core bound)',
  maxRowCores: 'the most cores the one-shot kernel spreads one row (token) of the message over (1 without thread-block clusters)',
  oneShotMaxTokens: 'with selection "thresholds": all-reduces of rows (tokens) of at most this many tokens (bytes / the step\'s rowBytes) run one-shot, whatever the row width',
  twoShotMaxTokens: 'with selection "thresholds": larger all-reduces of rows of at most this many tokens run two-shot; larger ones go to the collective library (ring, in-switch reduction)',
  oneShotMaxBytes: 'with selection "thresholds": all-reduces of flat buffers (no rows: rowBytes 0, e.g. gradients) of at most this many bytes per chip run one-shot; messages of rows use oneShotMaxTokens',
  twoShotMaxBytes: 'with selection "thresholds": larger all-reduces of flat buffers of at most this many bytes per chip run two-shot; larger ones go to the collective library; messages of rows use twoShotMaxTokens',
};

function lawSchema<K extends string>(bounds: Record<K, [number, number]>, partial: boolean) {
  const shape = {} as Record<K, z.ZodType<number | undefined>>;
  for (const key of Object.keys(bounds) as K[]) {
    const [lo, hi] = bounds[key];
    const number = INTEGER_PARAMETERS.has(key) ? z.number().int() : z.number();
    const base = number.min(lo).max(hi).meta({ description: DESCRIPTIONS[key] });
    shape[key] = partial ? base.optional() : base;
  }
  return z.strictObject(shape);
}

function kernelParamsSchemaOf(partial: boolean) {
  const compute = lawSchema(COMPUTE_LAW_BOUNDS, partial);
  const opt = <T extends z.ZodType>(s: T) => (partial ? s.optional() : s);
  const lanes = {} as Record<GemmLane, z.ZodType>;
  for (const l of GEMM_LANES) lanes[l] = opt(compute);
  const algorithms = {} as Record<CollectiveAlgorithm, z.ZodType>;
  for (const a of COLLECTIVE_ALGORITHMS) algorithms[a] = opt(lawSchema(a === 'oneShot' ? ONE_SHOT_LAW_BOUNDS : ALGORITHM_LAW_BOUNDS, partial));
  return z.strictObject({
    gemm: opt(z.strictObject(lanes)),
    attention: opt(z.strictObject({ prefill: opt(compute), decode: opt(z.strictObject({ kv16: opt(lawSchema(DECODE_LAW_BOUNDS, partial)), kv8: opt(lawSchema(DECODE_LAW_BOUNDS, partial)) })) })),
    moe: opt(lawSchema(GROUPED_LAW_BOUNDS, partial)),
    elementwise: opt(lawSchema(STREAM_LAW_BOUNDS, partial)),
    collectives: opt(z.strictObject(algorithms)),
    // A complete parameter file written before the policy existed reads as the fastest algorithm (what it modeled).
    allReduce: (() => {
      const policy = z
        .strictObject({
          selection: opt(z.enum(ALL_REDUCE_SELECTIONS).meta({ description: '"fastest": the fastest algorithm at each size; "thresholds": one-shot, two-shot, then the collective library, by message size (tokens for messages of rows, bytes for flat buffers)' })),
          ...lawSchema(ALL_REDUCE_POLICY_BOUNDS, partial).shape,
        })
        .meta({ description: 'how an all-reduce inside a pod picks its algorithm (the communication library\'s policy; docs/kernel-calibration.md)' });
      return partial ? policy.optional() : policy.default({ ...FASTEST_ALL_REDUCE });
    })(),
  });
}

export const kernelParamsSchema = kernelParamsSchemaOf(false);

/** A design's `kernels` block: any subset of the fitted parameters. */
export const kernelOverridesSchema = kernelParamsSchemaOf(true).meta({
  description: 'overrides of the fitted kernel-law parameters (data/kernel-params.json; docs/kernel-calibration.md), e.g. {"gemm": {"bf16": {"efficiency": 0.8}}}',
});
export type KernelOverrides = z.output<typeof kernelOverridesSchema>;

/**
 * A design's `kernels` block: `measured` names a GPU whose own fitted levels (perSystem in
 * data/kernel-params.json) replace the shared ones, for presets of measured chips; any other key
 * overrides a parameter. A design of a chip not yet built leaves `measured` out and gets the laws
 * fitted across all measured GPUs.
 */
export const designKernelsSchema = kernelParamsSchemaOf(true)
  .extend({
    measured: z.string().min(1).optional().meta({ description: 'a measured GPU of data/kernel-params.json (perSystem) whose fitted levels this design uses, e.g. "h100_sxm"' }),
  })
  .meta({
    description: 'kernel-law parameters: a measured GPU\'s fitted levels and/or overrides of the fitted parameters (data/kernel-params.json; docs/kernel-calibration.md), e.g. {"gemm": {"bf16": {"efficiency": 0.8}}}',
  });
export type DesignKernels = z.output<typeof designKernelsSchema>;
