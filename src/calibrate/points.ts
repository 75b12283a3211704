import { defaultPrecision, type FormatName } from '../precision/formats.js';
import type { Chip } from '../chip/chip.js';
import { runPhase } from '../eval/phase.js';
import type { Placement } from '../eval/step-cost.js';
import { evaluate } from '../eval/evaluate.js';
import { resolveModel, type HfConfig } from '../workload/model.js';
import { forwardPass } from '../workload/passes.js';
import { parseWorkload } from '../workload/load.js';
import type { Step } from '../workload/step.js';
import { ChipdseError } from '../errors.js';

/**
 * Measured results the model is checked against. Every point is held out: predicted from published
 * specifications and the kernel laws, whose parameters are fitted on NVIDIA AIConfigurator's kernel
 * tables (data/kernel-params.json), none of these points. (The chips' single efficiency factors,
 * read from some of these points and marked 'fit' before, are gone; the role column stays in the
 * table and the JSON so that a point read by a future fit can say so.)
 */
export interface CalibrationPoint {
  id: string;
  design: string;
  what: string;
  measured: number;
  unit: string;
  source: string;
  role: 'held-out';
  predict: (chip: Chip) => number;
}

const PLACEMENT: Placement = { weightsInSram: false, expertsInDramFraction: 0, denseInDramFraction: 0, innerChips: { tensor: 1, expert: 1, pipeline: 1, data: 1 } };

function gemmSec(chip: Chip, m: number, k: number, n: number, format: FormatName): number {
  const p = defaultPrecision(format);
  const step: Step = { kind: 'matmul', name: 'gemm', m, k, n, count: 1, a: p, b: p, out: p, weights: false, bFraction: 1, repeat: 1 };
  return runPhase(chip, 'gemm', 1, [step], PLACEMENT).timeSec;
}

/** Device-to-device copy: bytes read plus bytes written over time, as the measurement counts them. */
function copyBytesPerSec(chip: Chip): number {
  const bytes = 8 * 2 ** 30;
  const step: Step = { kind: 'elementwise', name: 'copy', elements: bytes / 2, flopsPerElement: 0, bytesPerElement: 2, repeat: 1 };
  return bytes / runPhase(chip, 'copy', 1, [step], PLACEMENT).timeSec;
}

const NON_LAYER = new Set(['embedding', 'lm head', 'final norm, sampling']);

/** One transformer layer of a model on a tensor-parallel group, in seconds. */
function layerSec(chip: Chip, modelName: string, t: number, batch: number, queries: number, context: number, format: FormatName): number {
  const m = { ...resolveModel(modelName, 'calibration'), layers: 1 };
  const p = defaultPrecision(format);
  const steps = forwardPass(m, { batch, queries, context, logitsTokens: batch }, { tensor: t, expert: 1 }, { weights: p, activations: p, kvCache: p }).filter((s) => !NON_LAYER.has(s.name));
  return runPhase(chip, 'layer', batch, steps, PLACEMENT).timeSec;
}

/** A calibration point the model itself calls infeasible: scoring it would compare a number the tool would never report. */
export class InfeasiblePointError extends ChipdseError {}

function trainMfu(chip: Chip, workload: Record<string, unknown>): number {
  const w = parseWorkload(workload, 'calibration point');
  const e = evaluate(chip, w);
  if (!e.feasible) throw new InfeasiblePointError(e.reasons.join('; '));
  return e.metrics.mfu;
}

/** PaLM 540B (Chowdhery et al. 2022, Table 1 and sec. 4): multi-query attention, SwiGLU, d_ff = 4 d_model, 256k vocabulary. */
const PALM_540B: HfConfig = {
  model_type: 'palm', hidden_act: 'swiglu', hidden_size: 18432, num_hidden_layers: 118, num_attention_heads: 48, num_key_value_heads: 1,
  head_dim: 256, intermediate_size: 73728, vocab_size: 256000, tie_word_embeddings: true,
};

/**
 * MaxText global_parameter_scale=32 (base.yml 2048/16 heads/7168/16 layers scaled x4 width, x2 depth):
 * 8192 hidden, 64 heads, 28672 gated MLP, 32 layers, 32k vocabulary: 31.7B parameters.
 */
const MAXTEXT_32B: HfConfig = {
  model_type: 'llama', hidden_act: 'silu', hidden_size: 8192, num_hidden_layers: 32, num_attention_heads: 64, num_key_value_heads: 64,
  intermediate_size: 28672, vocab_size: 32000, tie_word_embeddings: false,
};

/**
 * Llama 3 paper, arXiv 2407.21783: Table 4 (TP8, PP16, DP64/128, 16M tokens of 8192, 430/400 TFLOP/s
 * per GPU) and sec. 3.3.2: data parallelism is FSDP, which "shards the model, optimizer, and gradients"
 * (the model is not resharded after the forward pass, which the tool's 'full' sharding does not
 * express: it regathers per micro-batch), and 8K sequences train "without activation checkpointing".
 */
const LLAMA3_405B = 'Llama 3 paper, arXiv 2407.21783, Table 4 and sec. 3.3.2 (FSDP sharding, no activation checkpointing)';

const LLMCOMPASS = 'LLMCompass artifact (Zhang et al., ISCA 2024), ae/figure5; shared/reference/energy-area.md';
const MEASURED_H = 'measured on one H100 SXM and one H200 (shared/reference/chips.md)';

export const CALIBRATION_POINTS: CalibrationPoint[] = [
  { id: 'a100-gemm-8192x12288', design: 'a100-sxm', what: 'fp16 GEMM M=8192 N=K=12288', measured: 8.62e-3, unit: 's', source: LLMCOMPASS, role: 'held-out', predict: (c) => gemmSec(c, 8192, 12288, 12288, 'fp16') },
  { id: 'a100-gemm-64x12288', design: 'a100-sxm', what: 'fp16 GEMM M=64 N=K=12288 (memory-bound)', measured: 0.19e-3, unit: 's', source: LLMCOMPASS, role: 'held-out', predict: (c) => gemmSec(c, 64, 12288, 12288, 'fp16') },
  { id: 'a100-gemm-8192^3', design: 'a100-sxm', what: 'fp16 GEMM 8192^3', measured: 3.96e-3, unit: 's', source: LLMCOMPASS, role: 'held-out', predict: (c) => gemmSec(c, 8192, 8192, 8192, 'fp16') },
  { id: 'a100-gpt3-prefill-layer', design: 'a100-sxm', what: 'GPT-3 175B layer, 4x A100 TP4, fp16, batch 8, prefill 2048', measured: 66.7e-3, unit: 's', source: LLMCOMPASS, role: 'held-out', predict: (c) => layerSec(c, 'gpt-3-175b', 4, 8, 2048, (2048 + 1) / 2, 'fp16') },
  { id: 'a100-gpt3-decode-layer', design: 'a100-sxm', what: 'GPT-3 175B layer, 4x A100 TP4, fp16, batch 8, decode at KV 3072', measured: 1.11e-3, unit: 's', source: LLMCOMPASS, role: 'held-out', predict: (c) => layerSec(c, 'gpt-3-175b', 4, 8, 1, 3072, 'fp16') },
  { id: 'h100-gemm-8192^3', design: 'h100-sxm', what: 'bf16 GEMM 8192^3', measured: 798e12, unit: 'FLOP/s', source: MEASURED_H, role: 'held-out', predict: (c) => (2 * 8192 ** 3) / gemmSec(c, 8192, 8192, 8192, 'bf16') },
  { id: 'h100-copy', design: 'h100-sxm', what: 'device copy (read + write)', measured: 3.0e12, unit: 'B/s', source: MEASURED_H, role: 'held-out', predict: copyBytesPerSec },
  { id: 'h200-gemm-8192^3', design: 'h200-sxm', what: 'bf16 GEMM 8192^3 (769-798, midpoint)', measured: 783.5e12, unit: 'FLOP/s', source: MEASURED_H, role: 'held-out', predict: (c) => (2 * 8192 ** 3) / gemmSec(c, 8192, 8192, 8192, 'bf16') },
  { id: 'h200-copy', design: 'h200-sxm', what: 'device copy (read + write)', measured: 4.3e12, unit: 'B/s', source: MEASURED_H, role: 'held-out', predict: copyBytesPerSec },
  {
    id: 'palm-540b-tpu-v4', design: 'tpu-v4', what: 'PaLM 540B training MFU, 6144 TPU v4 (TP12 x DP512, seq 2048, 2048 seqs, FSDP)', measured: 0.462, unit: 'MFU',
    source: 'Chowdhery et al., PaLM, arXiv 2204.02311, Table 3 and sec. 4 (12-way model parallel, 256-way sharded data parallel per pod, 2 pods)', role: 'held-out',
    predict: (c) => trainMfu(c, { model: PALM_540B, phase: 'train', batch: 2048, inputTokens: 2048, chips: 6144, parallelism: { tensor: 12, data: 512 }, training: { microBatch: 4, recompute: 'full', sharding: 'full' } }),
  },
  {
    id: 'maxtext-32b-v5e-256', design: 'tpu-v5e', what: 'MaxText 32B training MFU, 256 TPU v5e (FSDP 256, seq 2048, 4 seqs per chip, full remat)', measured: 0.6686, unit: 'MFU',
    source: 'AI-Hypercomputer/maxtext MaxText/configs/v5e/README.md and 32b.sh', role: 'held-out',
    predict: (c) => trainMfu(c, { model: MAXTEXT_32B, phase: 'train', batch: 1024, inputTokens: 2048, chips: 256, parallelism: { data: 256 }, training: { microBatch: 4, recompute: 'full', sharding: 'full' } }),
  },
  {
    id: 'llama3-405b-8192-h100', design: 'h100-sxm', what: 'Llama 3 405B training, 8192 H100 (TP8 PP16 DP64 FSDP, seq 8192, 16M tokens): TFLOP/s per GPU', measured: 430e12, unit: 'FLOP/s',
    source: LLAMA3_405B, role: 'held-out',
    predict: (c) => 2 * (c.peakMacsPerSec.bf16 ?? 0) * trainMfu(c, { model: 'llama-3-405b', phase: 'train', batch: 2048, inputTokens: 8192, chips: 8192, parallelism: { tensor: 8, pipeline: 16, data: 64 }, training: { microBatch: 1, recompute: 'none', sharding: 'full' } }),
  },
  {
    id: 'llama3-405b-16384-h100', design: 'h100-sxm', what: 'Llama 3 405B training, 16384 H100 (TP8 PP16 DP128 FSDP, seq 8192, 16M tokens): TFLOP/s per GPU', measured: 400e12, unit: 'FLOP/s',
    source: LLAMA3_405B, role: 'held-out',
    predict: (c) => 2 * (c.peakMacsPerSec.bf16 ?? 0) * trainMfu(c, { model: 'llama-3-405b', phase: 'train', batch: 2048, inputTokens: 8192, chips: 16384, parallelism: { tensor: 8, pipeline: 16, data: 128 }, training: { microBatch: 1, recompute: 'none', sharding: 'full' } }),
  },
];
