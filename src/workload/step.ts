import type { Precision } from '../precision/formats.js';

/**
 * One step of a per-chip step list (a model's pass, or a trace file's steps): the work one chip
 * does, with `repeat` saying how many times (an 80-layer model is a handful of steps with repeat
 * 80). Shapes are per chip, after the tensor/expert-parallel split.
 */
export type Step = MatmulStep | AttentionStep | ElementwiseStep | GatherStep | CollectiveStep | HostTransferStep;

export const STEP_KINDS = ['matmul', 'attention', 'elementwise', 'gather', 'collective', 'host'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

interface StepBase {
  name: string;
  repeat: number;
  /** Training steps mark their backward pass, behind which gradient sync may hide. */
  part?: 'forward' | 'backward' | 'optimizer';
}

/**
 * C[m x n] = A[m x k] . B[k x n], `count` independent times (e.g. experts). B is the weight
 * operand when `weights` is true: it is read from wherever the weights live (HBM, the DRAM
 * tier, or SRAM when they are resident there). `bFraction` < 1 reads only that share of the
 * B operands (MoE experts a batch does not touch are not read).
 */
export interface MatmulStep extends StepBase {
  kind: 'matmul';
  m: number;
  k: number;
  n: number;
  count: number;
  a: Precision;
  b: Precision;
  out: Precision;
  weights: boolean;
  bFraction: number;
  /** The B operand is routed MoE experts (cold weights, spilled to DRAM first). */
  expert?: boolean;
}

/**
 * Softmax(Q K^T) V for `batch` sequences, `queries` new tokens each, over `context` cached
 * positions (the mean over the queries for causal prefill). K and V bytes per position are
 * `kvBytesPerToken` (per chip, per layer); `qkDim` and `vDim` are per head.
 */
export interface AttentionStep extends StepBase {
  kind: 'attention';
  batch: number;
  queries: number;
  context: number;
  heads: number;
  /** Distinct K/V heads on the chip (1 for MLA's shared latent): query rows per K/V head = queries x heads / kvHeads. */
  kvHeads: number;
  qkDim: number;
  vDim: number;
  kvBytesPerToken: number;
  compute: Precision;
  act: Precision;
  /**
   * Head elements the op's RoPE rotates; undefined: the whole head (qkDim), as every model trace.
   * Only a rotary dimension wider than the head matters (decode attention: see separateRope in
   * src/kernels/work.ts); the measured decode tables have one (src/calibrate/kernel-rows.ts).
   */
  ropeDim?: number;
}

/** Vector work: norms, activations, residual adds, softmax, optimizer updates. */
export interface ElementwiseStep extends StepBase {
  kind: 'elementwise';
  elements: number;
  flopsPerElement: number;
  bytesPerElement: number;
}

/** Embedding lookup: `rows` rows of `rowBytes` each, read from the table. */
export interface GatherStep extends StepBase {
  kind: 'gather';
  rows: number;
  rowBytes: number;
}

export const COLLECTIVE_OPS = ['all-reduce', 'all-gather', 'reduce-scatter', 'all-to-all', 'send'] as const;
export type CollectiveOp = (typeof COLLECTIVE_OPS)[number];
export const PARALLEL_GROUPS = ['tensor', 'pipeline', 'data', 'expert', 'context'] as const;
export type ParallelGroup = (typeof PARALLEL_GROUPS)[number];

/**
 * A collective over one parallel group. `bytes` is the per-chip buffer (for all-gather, the
 * gathered result), made of rows of `rowBytes`. `overlap`: what it may hide behind: the backward pass ("backward"), any
 * computation of its phase ("compute", e.g. FSDP weight prefetch), or nothing (undefined:
 * on the critical path).
 */
export interface CollectiveStep extends StepBase {
  kind: 'collective';
  op: CollectiveOp;
  group: ParallelGroup;
  groupSize: number;
  bytes: number;
  /**
   * Bytes of one row (token) of the buffer: the model's width in the reduction format for a
   * tensor-parallel all-reduce of activations; 0 for a flat buffer (gradients, weights, K/V). A
   * one-shot all-reduce gives each row to one core (or a cluster of them), so a few rows run at the
   * rate of a few cores (src/kernels/collective-laws.ts, oneShotCoreBytes).
   */
  rowBytes: number;
  overlap: 'backward' | 'compute' | undefined;
}

/** Bytes moved between host DRAM tier and HBM (offloaded experts, KV cache swap). */
export interface HostTransferStep extends StepBase {
  kind: 'host';
  bytes: number;
}
