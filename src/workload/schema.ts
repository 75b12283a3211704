import { z } from 'zod';
import { FORMAT_NAMES, FORMAT_ALIASES, BLOCK_FORMATS, BLOCK_SIZES } from '../precision/formats.js';
import { positive, positiveInt, fraction } from '../io/schema-helpers.js';
import { deploymentSchema } from './deployment.js';
import { COLLECTIVE_OPS, PARALLEL_GROUPS } from './step.js';

export const SHARDING = ['none', 'optimizer', 'full'] as const;
export const PHASES = ['prefill', 'decode', 'serve', 'train'] as const;
export type Phase = (typeof PHASES)[number];

const formatName = z.enum([...FORMAT_NAMES, ...Object.keys(FORMAT_ALIASES), ...Object.keys(BLOCK_FORMATS)] as [string, ...string[]]);

/** A tensor's precision: "fp8", a standard block format ("mxfp8", "mxfp6", "mxfp4", "nvfp4"), or {"format": "int4", "blockSize": 64, "scaleBits": 8}. */
export const precisionSchema = z.union([
  formatName,
  z.strictObject({
    format: formatName,
    blockSize: z.union([z.literal(0), ...BLOCK_SIZES.map((b) => z.literal(b))]).optional().meta({ description: 'values per shared scale (16, 32, 64, 128), or 0 for one scale per tensor; a standard block format has its own (nvfp4 16, mxfp* 32)' }),
    scaleBits: positiveInt(32).optional(),
  }),
]);

const modelRef = z.union([z.string().min(1), z.looseObject({})]).meta({ description: 'a preset name, a path to a Hugging Face config.json, or an inline object of its fields' });

const traceStepSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('matmul'), name: z.string(), m: positive(1e9), k: positive(1e9), n: positive(1e9), count: positive(1e6).default(1), a: precisionSchema, b: precisionSchema, out: precisionSchema.optional(), weights: z.boolean().default(true), repeat: positive(1e9).default(1) }),
  z.strictObject({ kind: z.literal('attention'), name: z.string(), batch: positive(1e7), queries: positive(1e9), context: positive(1e9), heads: positive(1e5), kvHeads: positive(1e5), qkDim: positiveInt(1e5), vDim: positiveInt(1e5), kvBytesPerToken: positive(1e9), precision: precisionSchema, repeat: positive(1e9).default(1) }),
  z.strictObject({ kind: z.literal('elementwise'), name: z.string(), elements: positive(1e15), flopsPerElement: z.number().min(0).max(1e6), bytesPerElement: z.number().min(0).max(1e6), repeat: positive(1e9).default(1) }),
  z.strictObject({ kind: z.literal('gather'), name: z.string(), rows: positive(1e12), rowBytes: positive(1e9), repeat: positive(1e9).default(1) }),
  z.strictObject({ kind: z.literal('collective'), name: z.string(), op: z.enum(COLLECTIVE_OPS), group: z.enum(PARALLEL_GROUPS), groupSize: positiveInt(1e6), bytes: positive(1e15), rowBytes: z.number().min(0).max(1e9).default(0).meta({ description: 'bytes of one row (token) of the buffer, e.g. the hidden size times 2 for a bf16 activation all-reduce; 0: a flat buffer' }), repeat: positive(1e9).default(1) }),
  z.strictObject({ kind: z.literal('host'), name: z.string(), bytes: positive(1e15), repeat: positive(1e9).default(1) }),
]);

/** A trace file: a per-chip step list recorded or written by hand: steps, the tokens they produce, and the memory they need. */
export const traceFileSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().min(1),
  notes: z.string().optional(),
  tokens: positive(1e15).meta({ description: 'tokens the trace produces (for per-token metrics)' }),
  batch: positive(1e7).default(1),
  chips: positiveInt(1e6).default(1),
  memory: z
    .strictObject({ weightsBytes: z.number().min(0).max(1e15).default(0), kvCacheBytes: z.number().min(0).max(1e15).default(0), activationBytes: z.number().min(0).max(1e15).default(0) })
    .default({ weightsBytes: 0, kvCacheBytes: 0, activationBytes: 0 }),
  steps: z.array(traceStepSchema).min(1),
});

const parallelismSchema = z.strictObject({
  tensor: positiveInt(1024).default(1),
  pipeline: positiveInt(1024).default(1),
  data: positiveInt(1e6).default(1),
  expert: positiveInt(1e5).default(1),
  context: positiveInt(1024).default(1).meta({ description: 'context (sequence) parallelism: the sequence split over chips, K/V passed around a ring' }),
});

/**
 * How a serving engine runs (src/eval/serving*.ts). Defaults are the engines' own:
 * tokenBudget 8192 is TensorRT-LLM's max_num_tokens default and vLLM's max_num_batched_tokens for
 * its OpenAI server on GPUs with 70 GB or more (vllm/engine/arg_utils.py); memoryUtilization 0.9
 * is vLLM's gpu_memory_utilization default; paged KV is vLLM's PagedAttention (Kwon et al., SOSP
 * 2023); the routing Gini 0.2 sits between the real-text bands measured by Ma et al. 2026
 * (DODOCO, arXiv 2605.20982: 0.105-0.15 for MHA and Mamba-2 mixers, >= 0.24 for MLA, GQA between);
 * schedule mixed is vLLM's and TensorRT-LLM's; the host costs default to TensorRT-LLM's, as the
 * token budget does (1 ms per iteration, no per-layer launch cost: ENGINE_HOST in
 * src/calibrate/serving-calibrate.ts, fitted on the odd lines of data/serving-measured.csv by
 * bench/fit-engine-host.mjs; vLLM 1.25 ms and 0.8 ms per layer of a prompt iteration, SGLang 1.75 ms;
 * 0 models the accelerator alone).
 */
export const servingSchema = z.strictObject({
  tokenBudget: positiveInt(1e7).default(8192).meta({ description: 'tokens one engine iteration may carry: a decode token per running sequence plus a prefill chunk (TensorRT-LLM max_num_tokens, vLLM max_num_batched_tokens)' }),
  memoryUtilization: fraction('share of HBM the engine may fill with weights, KV cache and activations (vLLM gpu_memory_utilization)').default(0.9),
  kvCache: z.enum(['paged', 'reserved']).default('paged').meta({ description: 'paged: KV pages hold the live context (input plus output so far); reserved: every sequence holds room for its whole context from the start' }),
  maxContextTokens: positiveInt(1e8).optional().meta({ description: 'cap on a sequence\u2019s context (the engine\u2019s max_seq_len); default inputTokens + outputTokens' }),
  prefixCacheHitRate: z.number().min(0).lt(1).default(0).meta({ description: 'share of prompt tokens found in the prefix cache: they skip prefill compute but still occupy KV' }),
  arrivalRatePerSec: positive(1e9).optional().meta({ description: 'open loop: requests per second arriving at the whole workload (Poisson); without it the load is a closed loop at the concurrency' }),
  requestsPerClient: positive(1e9).optional().meta({ description: 'closed loop: requests each client sends in a measured run, the first burst included (benchmarks); without it, steady state' }),
  schedule: z.enum(['mixed', 'prefill-first']).default('mixed').meta({ description: 'mixed: prompt chunks ride in decode iterations under the token budget (vLLM, TensorRT-LLM); prefill-first: prompts run in iterations of their own ahead of decoding (SGLang\u2019s default)' }),
  iterationOverheadSec: z.number().min(0).lt(10).default(1e-3).meta({ description: 'host time each engine iteration adds to the accelerator\u2019s (scheduling, sampling, output processing); default TensorRT-LLM\u2019s fitted 1 ms (vLLM 1.25 ms, SGLang 1.75 ms; README, Calibration); 0: the accelerator alone' }),
  eagerLayerSec: z.number().min(0).lt(10).default(0).meta({ description: 'host time to launch one layer\u2019s kernels in an iteration that carries prompt tokens (run without CUDA graphs): such an iteration takes at least layers x this; 0 for none' }),
  expertRoutingGini: z.number().min(0).lt(1).default(0.2).meta({ description: 'MoE: Gini coefficient of the tokens per expert (0 balanced), expert popularity a power law with this Gini' }),
  disaggregated: z
    .strictObject({
      prefillDesign: z.string().min(1).optional().meta({ description: 'preset or path of the prefill pool\u2019s design; default the design evaluated' }),
      prefillParallelism: parallelismSchema.optional().meta({ description: 'parallelism of one prefill instance; default the workload\u2019s' }),
    })
    .optional()
    .meta({ description: 'prefill and decode on separate pools; the KV cache of each prompt crosses the scale-out network' }),
});

export const workloadSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().min(1).max(200).optional(),
  notes: z.string().optional(),
  model: modelRef.optional(),
  trace: z.string().min(1).optional().meta({ description: 'path to a trace file, instead of a model' }),
  phase: z.enum(PHASES).optional(),
  batch: z.union([positiveInt(1e7), z.literal('auto')]).default('auto').meta({ description: 'serving: sequences in flight per replica (the concurrency), or "auto": the highest concurrency that fits and meets the SLOs; training: sequences per step (global)' }),
  inputTokens: positiveInt(1e8).default(2048).meta({ description: 'prompt length (serving) or sequence length (training)' }),
  outputTokens: positiveInt(1e8).default(256),
  precision: z
    .strictObject({
      weights: precisionSchema.default('bf16'),
      activations: precisionSchema.default('bf16'),
      kvCache: precisionSchema.default('bf16'),
      gradients: precisionSchema.default('bf16'),
      optimizer: precisionSchema.default('fp32'),
    })
    .default({ weights: 'bf16', activations: 'bf16', kvCache: 'bf16', gradients: 'bf16', optimizer: 'fp32' }),
  chips: positiveInt(1e6).default(1),
  parallelism: parallelismSchema.default({ tensor: 1, pipeline: 1, data: 1, expert: 1, context: 1 }),
  slo: z
    .strictObject({
      ttftSec: positive(1e5).optional().meta({ description: 'mean time to first token, seconds' }),
      tpotSec: positive(1e3).optional().meta({ description: 'mean time per output token after the first, seconds' }),
      ttftP90Sec: positive(1e5).optional().meta({ description: '90th-percentile time to first token, seconds (from the queueing model)' }),
    })
    .optional(),
  serving: servingSchema.optional(),
  speculative: z
    .strictObject({
      drafter: modelRef,
      draftTokens: positiveInt(64),
      acceptanceRate: z.number().min(0).lt(1).meta({ description: 'probability that each drafted token is accepted (Leviathan et al. 2023 alpha)' }),
    })
    .optional(),
  training: z
    .strictObject({
      microBatch: positiveInt(1e5).default(1).meta({ description: 'sequences per micro-batch' }),
      recompute: z.enum(['none', 'full']).default('none'),
      virtualStages: positiveInt(64).default(1).meta({ description: 'pipeline stages per chip (interleaved 1F1B, Narayanan et al. 2021): the bubble shrinks by this factor' }),
      sites: positiveInt(64).default(1).meta({ description: 'data centres the data-parallel replicas are spread over; gradients cross between them on interconnect.crossSite' }),
      restartSec: positive(1e6).default(600).meta({ description: 'time to restart after an interruption (assumption: 10 minutes)' }),
      sharding: z.enum(SHARDING).default('optimizer').meta({ description: 'what is split over data-parallel replicas: nothing, the optimizer state (ZeRO-1 / distributed optimizer), or weights, gradients and optimizer state (ZeRO-3 / FSDP, weights all-gathered per micro-batch)' }),
    })
    .default({ microBatch: 1, recompute: 'none', sharding: 'optimizer', virtualStages: 1, sites: 1, restartSec: 600 }),
  deployment: deploymentSchema,
  mix: z
    .array(z.strictObject({ workload: z.union([z.string().min(1), z.looseObject({})]), weight: fraction('share of the chips\u2019 time') }))
    .min(1)
    .optional(),
});

export type ServingFile = z.output<typeof servingSchema>;
export type WorkloadFile = z.output<typeof workloadSchema>;
export type TraceFile = z.output<typeof traceFileSchema>;
