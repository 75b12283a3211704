import type { Chip } from '../chip/chip.js';
import type { AllReducePolicy, CollectiveAlgorithm } from '../kernels/params.js';
import { bytesPerValue, type Precision } from '../precision/formats.js';
import type { ModelConfig } from '../workload/model.js';
import { forwardPass } from '../workload/passes.js';
import { DECODE_ATTENTION_MAX_QUERIES } from '../eval/step-cost.js';
import type { CollectiveOp, ElementwiseStep, Step } from '../workload/step.js';
import { num, readMeasuredTable, readMeasuredTableIfAny, str, type MeasuredSystem } from './kernel-tables.js';

/**
 * The measured kernel rows the laws are fitted on and checked against (NVIDIA AIConfigurator data,
 * Apache-2.0; shared/reference/measured/README.md describes every column), each turned into the
 * trace steps the tool would run for it. A row is predicted by running those steps through the
 * tool's own step model (src/eval/step-cost.ts): what is checked is what the evaluator computes.
 *
 * Selection rules, each applied deliberately (README caveats in brackets):
 * - GEMM: quant modes bfloat16, fp8 (per-tensor), fp8_block (DeepSeek-style 1x128 / 128x128 scales),
 *   nvfp4 and A100's int8 SmoothQuant (`sq`). Weight-only modes (int8_wo, int4_wo) are left out: they
 *   are a bf16 product after a dequantizing prologue, another kernel class.
 * - GEMM quant modes include the activation quantization [caveat 5]: fp8 rows are predicted as the
 *   GEMM plus the measured quantize and dynamic-scale kernels of the same (m, k) (quantize.csv.gz,
 *   AIConfigurator's own fp8 - compute_scale decomposition); fp8_block and nvfp4 rows as the GEMM
 *   plus a memory-bound quantize kernel (read bf16, write the quantized values and scales) timed by
 *   the elementwise law, as the tool's traces would run it.
 * - GEMM rows faster than their minimum HBM traffic at peak bandwidth are L2-resident [caveat 6]:
 *   excluded (AIConfigurator raises them to its roofline; the tool models HBM streams).
 * - fp8_block on Hopper is a software block-scaled kernel (fp8 tensor cores, scales applied by the
 *   CUDA cores); the tool's format selection runs block-scaled fp8 on a chip without block-scale
 *   hardware in bf16, so these rows are not comparable: excluded.
 * - Prefill attention: the compute precision follows kv_cache_dtype [caveat 4]; windowed rows attend
 *   over the window. Rows of fewer than 17 new tokens are left out: the tool times so few queries
 *   with its decode-attention law (speculative verification), and the decode table measures those.
 * - Decode attention: A100 rows with batch x kv_len >= 65536 and any row whose K+V read beats the
 *   HBM peak are excluded [caveat 3]. So are rows with a sliding window shorter than kv_len: the
 *   tool's traces have no sliding-window attention, and TensorRT-LLM sizes its sequence split
 *   (multi-block mode, decodeSplits in src/kernels/time.ts) by the whole history, not the window
 *   (on Hopper, batch 64 with a 128-token window takes 9.8 us at kv_len 128 and 32 us from 1,024
 *   on). So are query groups of more than 32 heads per KV head: TensorRT-LLM's grouped decode
 *   kernel (XQA) serves up to 32; larger groups fall back to a kernel
 *   that reads K and V once per query head, 10-20x slower (h64/kv1 against h32/kv1 in the table),
 *   and the models with such groups (MLA) run kernels of their own.
 * - MoE: balanced routing only. The laws time the grouped GEMMs of the tokens each expert gets; how
 *   skewed routing piles tokens on the busiest expert-parallel rank is the serving model's part
 *   (src/workload/moe-routing.ts, expertRoutingGini), so the power-law rows are not fitted here.
 *   The rows are timed at Gini 0 (uniformly random routing): a few tokens touch 1 - (1 - k/E)^n of the experts,
 *   where the benchmark's balanced routing touches min(E, n k); small token counts differ by that;
 *   the low-latency NVFP4 kernel rows (moe_torch_flow_min_latency) are left out as a second kernel
 *   for shapes the CUTLASS rows already cover; weight-only and mixed MX modes are left out.
 * - Elementwise: the static fp8 quantize (scale_matrix), 3 bytes per element; rows faster than HBM
 *   are L2-resident [caveat 6] and excluded.
 * - Collectives: every row; custom all-reduce picks its algorithm as its library does
 *   (LIBRARY_ALL_REDUCE_POLICIES: by message size on A100's TensorRT-LLM 1.0, the fastest
 *   elsewhere), NCCL all-reduce only ring or in-switch reduction (NCCL has no one-shot kernel), and
 *   its int8 rows only the ring (NVLS does not reduce 8-bit values) [caveat 7: single node only].
 */
export const KERNEL_CLASSES = ['gemm', 'attention-prefill', 'attention-decode', 'moe', 'elementwise', 'all-reduce', 'all-gather', 'reduce-scatter', 'all-to-all'] as const;
export type KernelClassName = (typeof KERNEL_CLASSES)[number];

export interface MeasuredKernel {
  system: MeasuredSystem;
  cls: KernelClassName;
  /** GEMM lane or quant mode, attention KV format, all-reduce implementation. */
  variant: string;
  /** The shape, without the system: rows of one shape are held out together on every GPU. */
  key: string;
  measuredSec: number;
  /** Steps of the tool's trace for this kernel (compute and memory classes), built when asked: most rows are never used. */
  steps: () => Step[];
  /** Measured time added to the prediction (fp8 activation quantize, caveat 5). */
  extraSec: number;
  collective?: { op: CollectiveOp; bytes: number; rowBytes: number; groupSize: number; algorithms?: ReadonlySet<CollectiveAlgorithm>; policy?: AllReducePolicy };
}

/** Rows left out, by reason: reported in the parameter file and by the calibration. */
export type Exclusions = Record<string, number>;

const BF16: Precision = { format: 'bf16', blockSize: 0, scaleBits: 0 };
const FP8: Precision = { format: 'fp8_e4m3', blockSize: 0, scaleBits: 0 };
/** DeepSeek-style 128-value blocks (1x128 activations, 128x128 weights), fp32 scales. */
const FP8_BLOCK: Precision = { format: 'fp8_e4m3', blockSize: 128, scaleBits: 32 };
/** NVFP4: E2M1 values, an E4M3 scale per 16 (the per-tensor fp32 scale is negligible). */
const NVFP4: Precision = { format: 'fp4', blockSize: 16, scaleBits: 8 };
const INT8: Precision = { format: 'int8', blockSize: 0, scaleBits: 0 };

/** The GEMM quant modes of the measured tables: the tool's lane, number format and activation quantize. */
export const GEMM_QUANTS: Record<string, { lane: string; p: Precision; quantize: 'measured' | Precision | undefined }> = {
  bfloat16: { lane: 'bf16', p: BF16, quantize: undefined },
  fp8: { lane: 'fp8', p: FP8, quantize: 'measured' },
  fp8_block: { lane: 'fp8_block', p: FP8_BLOCK, quantize: FP8_BLOCK },
  nvfp4: { lane: 'fp4_block', p: NVFP4, quantize: NVFP4 },
  sq: { lane: 'int8', p: INT8, quantize: undefined },
};

const bytesOf = bytesPerValue;

/** One dense GEMM Y[m,n] = X[m,k] W[n,k]^T in format `p` with bf16 output, weights streamed: the step a measured GEMM row is. */
export function gemmStep(name: string, m: number, k: number, n: number, p: Precision): Step {
  return { kind: 'matmul', name, m, k, n, count: 1, a: p, b: p, out: BF16, weights: true, bFraction: 1, repeat: 1 };
}

/** The activation quantize kernel a quantized GEMM runs first: read bf16, write the quantized values and their scales. */
export function quantizeStep(m: number, k: number, p: Precision): ElementwiseStep {
  return { kind: 'elementwise', name: 'activation quantize', elements: m * k, flopsPerElement: 4, bytesPerElement: 2 + bytesOf(p), repeat: 1 };
}

function excluded(ex: Exclusions, reason: string): void {
  ex[reason] = (ex[reason] ?? 0) + 1;
}

const isHopper = (s: MeasuredSystem) => s === 'h100_sxm' || s === 'h200_sxm';

/** A row of a measured table, as read (src/calibrate/kernel-tables.ts). */
export type MeasuredRecord = Record<string, string | number | null>;

/** Measured fp8 quantize times by `${op}|${m}|${k}` (quantize.csv.gz): what an fp8 GEMM row also timed. */
export type QuantizeTimes = Map<string, number>;

/** One GEMM row as the tool's steps, or the reason it is left out. */
export function gemmKernel(system: MeasuredSystem, r: MeasuredRecord, chip: Chip, quantSec: QuantizeTimes): MeasuredKernel | string {
  const quant = str(r, 'quant');
  const mode = GEMM_QUANTS[quant];
  if (!mode) return `gemm ${quant}: weight-only quantization, another kernel class`;
  if (quant === 'fp8_block' && isHopper(system)) return 'gemm fp8_block on Hopper: software block scaling, not expressible in the tool';
  const m = num(r, 'm');
  const n = num(r, 'n');
  const k = num(r, 'k');
  const sec = num(r, 'latency_us') * 1e-6;
  const minBytes = m * k * bytesOf(mode.p) + n * k * bytesOf(mode.p) + m * n * 2;
  if (sec < minBytes / chip.hbmBytesPerSec) return 'gemm faster than its HBM roofline: L2-resident (caveat 6)';
  let extraSec = 0;
  const steps: Step[] = [gemmStep(`gemm ${quant}`, m, k, n, mode.p)];
  if (mode.quantize === 'measured') {
    const s = quantSec.get(`scale_matrix|${m}|${k}`);
    const c = quantSec.get(`compute_scale|${m}|${k}`);
    if (s === undefined || c === undefined) return 'gemm fp8 without a quantize row of the same (m, k)';
    extraSec = s + c;
  } else if (mode.quantize) {
    steps.unshift(quantizeStep(m, k, mode.quantize));
  }
  return { system, cls: 'gemm', variant: mode.lane, key: `${m},${n},${k}`, measuredSec: sec, steps: () => steps, extraSec };
}

/** Collects a table's kernels, counting the rows left out by reason. */
function collect(rows: MeasuredRecord[], ex: Exclusions, toKernel: (r: MeasuredRecord) => MeasuredKernel | string | undefined): MeasuredKernel[] {
  const out: MeasuredKernel[] = [];
  for (const r of rows) {
    const k = toKernel(r);
    if (typeof k === 'string') excluded(ex, k);
    else if (k) out.push(k);
  }
  return out;
}

function gemmRows(dir: string, system: MeasuredSystem, chip: Chip, ex: Exclusions): MeasuredKernel[] {
  const t = readMeasuredTable(dir, `${system}.gemm.csv.gz`);
  const q = readMeasuredTableIfAny(dir, `${system}.quantize.csv.gz`);
  const quantSec: QuantizeTimes = new Map();
  if (q) for (const r of q.rows) quantSec.set(`${str(r, 'op')}|${num(r, 'm')}|${num(r, 'k')}`, num(r, 'latency_us') * 1e-6);
  return collect(t.rows, ex, (r) => gemmKernel(system, r, chip, quantSec));
}

/** Attended (query, key) pairs per sequence of causal prefill over s tokens with window w (0: full). */
export function causalPairs(s: number, w: number): number {
  return w === 0 || s <= w ? (s * (s + 1)) / 2 : (w * (w + 1)) / 2 + (s - w) * w;
}

const kvPrecision = (dtype: string): Precision => (dtype === 'fp8' ? FP8 : BF16);

/** Fewest new tokens the tool times as prefill attention (src/eval/step-cost.ts DECODE_ATTENTION_MAX_QUERIES + 1). */
const PREFILL_MIN_TOKENS = DECODE_ATTENTION_MAX_QUERIES + 1;
/** Largest query group per KV head of TensorRT-LLM's grouped decode kernel (XQA). */
const DECODE_MAX_GROUP = 32;
/**
 * Head elements the measured attention op rotates: AIConfigurator's collector builds it with
 * RopeParams(dim=128) for every head size (collector/trtllm/collect_attn.py, ai-dynamo/aiconfigurator),
 * so its rows with heads of 64 have a rotary dimension wider than the head, and TensorRT-LLM then
 * runs RoPE in a kernel of its own before the Hopper fp8 XQA kernel (separateRope, src/kernels/work.ts).
 */
const MEASURED_ROPE_DIM = 128;

/** One prefill-attention row as the tool's step, or the reason it is left out. */
export function prefillKernel(system: MeasuredSystem, r: MeasuredRecord): MeasuredKernel | string {
  const b = num(r, 'batch');
  const s = num(r, 'seq_len');
  if (s < PREFILL_MIN_TOKENS) return `prefill attention of fewer than ${PREFILL_MIN_TOKENS} tokens: timed as decode attention by the tool`;
  const h = num(r, 'num_heads');
  const kvh = num(r, 'num_kv_heads');
  const d = num(r, 'head_dim');
  const w = num(r, 'window_size');
  const kv = str(r, 'kv_cache_dtype');
  // Caveat 4: the KV cache format decides the FMHA compute precision.
  const p = kvPrecision(kv);
  const step: Step = { kind: 'attention', name: 'prefill attention', batch: b, queries: s, context: causalPairs(s, w) / s, heads: h, kvHeads: kvh, qkDim: d, vDim: d, kvBytesPerToken: 2 * kvh * d * bytesOf(p), compute: p, act: BF16, repeat: 1 };
  return { system, cls: 'attention-prefill', variant: kv === 'fp8' ? 'kv8' : 'kv16', key: `${b},${s},${h},${kvh},${d},${w},${kv}`, measuredSec: num(r, 'latency_us') * 1e-6, steps: () => [step], extraSec: 0 };
}

function prefillRows(dir: string, system: MeasuredSystem, ex: Exclusions): MeasuredKernel[] {
  return collect(readMeasuredTable(dir, `${system}.attention_context.csv.gz`).rows, ex, (r) => prefillKernel(system, r));
}

/** One decode-attention row as the tool's step, or the reason it is left out. */
export function decodeKernel(system: MeasuredSystem, r: MeasuredRecord, chip: Chip): MeasuredKernel | string {
  const b = num(r, 'batch');
  const L0 = num(r, 'kv_len');
  const w = num(r, 'window_size');
  const L = w > 0 ? Math.min(L0, w) : L0;
  const h = num(r, 'num_heads');
  const kvh = num(r, 'num_kv_heads');
  const d = num(r, 'head_dim');
  const kv = str(r, 'kv_cache_dtype');
  const p = kvPrecision(kv);
  const sec = num(r, 'latency_us') * 1e-6;
  const kvBytes = b * kvh * d * 2 * bytesOf(p) * L;
  if (kvBytes / sec > chip.hbmBytesPerSec) return 'decode attention reading K+V faster than HBM (caveat 3)';
  if (w > 0 && L0 > w) return 'decode attention with a sliding window shorter than kv_len: the kernel splits by the whole history (multi-block), and the tool has no sliding-window attention';
  if (h / kvh > DECODE_MAX_GROUP) return `decode attention with more than ${DECODE_MAX_GROUP} query heads per KV head: a fallback kernel`;
  if (system === 'a100_sxm' && b * L0 >= 65536) return 'decode attention on A100 with batch x kv_len >= 65536 (caveat 3)';
  const step: Step = { kind: 'attention', name: 'decode attention', batch: b, queries: 1, context: L, heads: h, kvHeads: kvh, qkDim: d, vDim: d, kvBytesPerToken: 2 * kvh * d * bytesOf(p), compute: BF16, act: BF16, repeat: 1, ropeDim: MEASURED_ROPE_DIM };
  return { system, cls: 'attention-decode', variant: kv === 'fp8' ? 'kv8' : 'kv16', key: `${b},${L0},${h},${kvh},${d},${w},${kv}`, measuredSec: sec, steps: () => [step], extraSec: 0 };
}

function decodeRows(dir: string, system: MeasuredSystem, chip: Chip, ex: Exclusions): MeasuredKernel[] {
  return collect(readMeasuredTable(dir, `${system}.attention_generation.csv.gz`).rows, ex, (r) => decodeKernel(system, r, chip));
}

const MOE_QUANTS: Record<string, { weights: Precision; activations: Precision }> = {
  bfloat16: { weights: BF16, activations: BF16 },
  fp8: { weights: FP8, activations: FP8 },
  fp8_block: { weights: FP8_BLOCK, activations: FP8_BLOCK },
  nvfp4: { weights: NVFP4, activations: NVFP4 },
};

/**
 * The MoE part of one layer of the tool's trace (router, expert products, activation), for a measured
 * MoE row: the measured GPU holds E / ep experts of width inter / tp and routes all `tokens` (the
 * whole MoE group's). In the trace's terms that is an expert group of ep inside a tensor group of
 * tp x ep (experts over ep chips, each split tp / ... ways: width inter / (t / e)).
 */
export function moeSteps(tokens: number, hidden: number, inter: number, topk: number, experts: number, tp: number, ep: number, gated: boolean, prec: { weights: Precision; activations: Precision }): Step[] {
  const t = tp * ep;
  const m: ModelConfig = {
    name: 'moe row', hiddenSize: hidden, layers: 1, heads: t, kvHeads: t, headDim: 64, intermediateSize: inter, vocabSize: t,
    gatedFfn: gated, tiedEmbeddings: false, mla: undefined,
    moe: { experts, expertsPerToken: topk, expertIntermediateSize: inter, sharedExperts: 0, denseLayers: 0 },
  };
  const steps = forwardPass(m, { batch: tokens, queries: 1, context: 1, logitsTokens: 1 }, { tensor: t, expert: ep }, { weights: prec.weights, activations: prec.activations, kvCache: prec.activations });
  return steps.filter((s) => s.name.startsWith('moe ') && s.kind !== 'collective');
}

function moeRows(dir: string, system: MeasuredSystem, ex: Exclusions): MeasuredKernel[] {
  const t = readMeasuredTable(dir, `${system}.moe.csv.gz`);
  const out: MeasuredKernel[] = [];
  for (const r of t.rows) {
    const quant = str(r, 'quant');
    const source = str(r, 'kernel_source');
    const dist = str(r, 'distribution');
    if (dist !== 'balanced') {
      excluded(ex, 'moe with skewed (power-law) routing: the laws are fitted on balanced routing (skew is the routing model\'s, expertRoutingGini)');
      continue;
    }
    const prec = MOE_QUANTS[quant];
    if (!prec) {
      excluded(ex, `moe ${quant}: weight-only or mixed MX mode, not fitted`);
      continue;
    }
    if (quant === 'fp8_block' && isHopper(system)) {
      excluded(ex, 'moe fp8_block on Hopper: software block scaling, not expressible in the tool');
      continue;
    }
    if (source === 'moe_torch_flow_min_latency') {
      excluded(ex, 'moe low-latency NVFP4 kernel: a second kernel for shapes the CUTLASS rows cover');
      continue;
    }
    const [tokens, h, inter, topk, E, tp, ep] = ['num_tokens', 'hidden_size', 'inter_size', 'topk', 'num_experts', 'moe_tp_size', 'moe_ep_size'].map((c) => num(r, c));
    const gated = source !== 'moe_torch_flow_nongated';
    const steps = () => moeSteps(tokens, h, inter, topk, E, tp, ep, gated, prec);
    out.push({ system, cls: 'moe', variant: quant === 'nvfp4' ? 'fp4_block' : quant === 'bfloat16' ? 'bf16' : quant, key: `${tokens},${h},${inter},${topk},${E},${tp},${ep},${source}`, measuredSec: num(r, 'latency_us') * 1e-6, steps, extraSec: 0 });
  }
  return out;
}

/** One static fp8 quantize row as the tool's memory-bound step, or the reason it is left out (other ops: undefined). */
export function elementwiseKernel(system: MeasuredSystem, r: MeasuredRecord, chip: Chip): MeasuredKernel | string | undefined {
  if (str(r, 'op') !== 'scale_matrix') return undefined;
  const m = num(r, 'm');
  const k = num(r, 'k');
  const sec = num(r, 'latency_us') * 1e-6;
  if (num(r, 'bytes_moved') / sec > chip.hbmBytesPerSec) return 'elementwise faster than HBM: L2-resident (caveat 6)';
  return { system, cls: 'elementwise', variant: 'fp8 quantize', key: `${m},${k}`, measuredSec: sec, steps: () => [quantizeStep(m, k, FP8)], extraSec: 0 };
}

function elementwiseRows(dir: string, system: MeasuredSystem, chip: Chip, ex: Exclusions): MeasuredKernel[] {
  const t = readMeasuredTableIfAny(dir, `${system}.quantize.csv.gz`);
  return t ? collect(t.rows, ex, (r) => elementwiseKernel(system, r, chip)) : [];
}

const NCCL_ALL_REDUCE = new Set<CollectiveAlgorithm>(['ring', 'ringLowLatency', 'inSwitch']);
/**
 * NCCL's in-switch (NVLS) all-reduce sums only 16-, 32- and 64-bit values: f16, bf16, f32, f64 and
 * 32/64-bit integers, never int8 or fp8 (NVIDIA/nccl src/device/generate.py, `nvls_ok`, which must
 * match ncclNvlsSupported() in src/include/device.h). The int8 NCCL all-reduce rows therefore run a ring
 * on NVSwitch systems too (on H200 they take 1.25-1.3x the time of the fp16 rows of the same bytes
 * from 64 MiB up, comm.csv.gz).
 */
const NCCL_ALL_REDUCE_8BIT = new Set<CollectiveAlgorithm>(['ring', 'ringLowLatency']);
const COMM_OPS: Record<string, CollectiveOp> = { all_reduce: 'all-reduce', all_gather: 'all-gather', reduce_scatter: 'reduce-scatter', alltoall: 'all-to-all' };

/**
 * The row width, in elements, of AIConfigurator's custom all-reduce messages: a message of n
 * elements is timed as a [1, n] tensor up to 4,096 elements and as [n / 4096, 4096] above
 * (collector/collect_all_reduce.py, get_input_shape_and_comm_size, token_dim = 4096). NCCL's rows
 * (nccl-tests) are flat buffers.
 */
export const COLLECTOR_ROW_ELEMENTS = 4096;

/**
 * The algorithm selection of each measured custom all-reduce, where it is not the fastest algorithm
 * at each size: a property of the library version that was measured, like the message size, so the
 * rows carry it (and the fit writes it into that GPU's levels, for its preset).
 *
 * A100 (TensorRT-LLM 1.0.0, custom_allreduce_perf): AllReduceStrategy AUTO without fusion, before
 * TensorRT-LLM PR #7870 replaced it with a measured per-SM table (Hopper and Blackwell only; the
 * other GPUs' rows are 1.3.0rc20, after it): cpp/tensorrt_llm/thop/allreduceOp.cpp,
 * selectImplementation, runs MIN_LATENCY while seq_len <= 128 tokens
 * (ALLREDUCE_AUTO_HEURISTIC_MIN_LATENCY_THRESHOLD_TOKEN_NUM, default 128; "NCCL is faster than
 * MIN_LATENCY when the token number is greater than 256. I conservatively set the threshold here
 * to 128 tokens") and NCCL above; MIN_LATENCY is one-shot at that many tokens
 * (allReduceFusionKernels, kOneShotMaxToken = 128). seq_len is the input's first dimension
 * (AllreduceOp::run: seq_len = input.size(0)), its token count, so the threshold is 128 tokens
 * whatever the model's width: one-shot up to 128 tokens, no two-shot, NCCL above. AIConfigurator's
 * collector shapes a message of n elements as [n / 4096, 4096] (collector/collect_all_reduce.py,
 * get_input_shape_and_comm_size), so its 128 tokens are 1 MiB of bf16 (the rows' rowBytes say so:
 * commKernel). A flat buffer has no tokens to count; its threshold is those 128 collector rows,
 * 1 MiB (no serving all-reduce of TensorRT-LLM is a flat buffer: its all-reduces are of
 * [tokens, hidden] activations). The source keeps MIN_LATENCY (two-shot beyond 128 tokens) up to a
 * 16 MB workspace on 2 GPUs; the 2-GPU rows do not show it: 2 MiB takes 47.6 us where 1 MiB takes 11.6 us (4.1x for twice the bytes; a two-shot on
 * 2 GPUs moves as many bytes per chip as the one-shot), and NCCL's own 2 MiB row takes 47.6 us;
 * 4 and 8 MiB are within 3% and 7% of NCCL's rows (comm.csv.gz). They are timed as handed to
 * NCCL, like every other GPU count.
 */
export const LIBRARY_ALL_REDUCE_POLICIES: Partial<Record<MeasuredSystem, AllReducePolicy>> = {
  a100_sxm: { selection: 'thresholds', oneShotMaxTokens: 128, twoShotMaxTokens: 128, oneShotMaxBytes: 128 * COLLECTOR_ROW_ELEMENTS * 2, twoShotMaxBytes: 128 * COLLECTOR_ROW_ELEMENTS * 2, maxRowCores: 1 },
};

/** One collective row: custom all-reduce picks its algorithm as its library does, NCCL all-reduce among its own. */
export function commKernel(system: MeasuredSystem, r: MeasuredRecord): MeasuredKernel {
  const op = COMM_OPS[str(r, 'op')];
  const impl = str(r, 'impl');
  const g = num(r, 'num_gpus');
  const bytes = num(r, 'message_bytes');
  const dtype = str(r, 'dtype');
  const nccl = impl === 'nccl';
  // Custom all-reduce rows are bf16 (README): 2 bytes per element.
  const rowBytes = nccl ? 0 : Math.min(bytes, COLLECTOR_ROW_ELEMENTS * 2);
  return {
    system, cls: op as KernelClassName, variant: nccl ? 'nccl' : 'custom', key: `${impl},${op},${dtype},${g},${bytes}`,
    measuredSec: num(r, 'latency_us') * 1e-6, steps: () => [], extraSec: 0,
    collective: {
      op, bytes, rowBytes, groupSize: g,
      algorithms: nccl && op === 'all-reduce' ? (dtype === 'int8' ? NCCL_ALL_REDUCE_8BIT : NCCL_ALL_REDUCE) : undefined,
      policy: !nccl && op === 'all-reduce' ? LIBRARY_ALL_REDUCE_POLICIES[system] : undefined,
    },
  };
}

function commRows(dir: string, system: MeasuredSystem): MeasuredKernel[] {
  return readMeasuredTable(dir, `${system}.comm.csv.gz`).rows.map((r) => commKernel(system, r));
}

/** Every usable measured row of one system, with the counts of rows left out and why. */
export function measuredKernels(dir: string, system: MeasuredSystem, chip: Chip, classes: readonly KernelClassName[] = KERNEL_CLASSES): { rows: MeasuredKernel[]; excluded: Exclusions } {
  const ex: Exclusions = {};
  const want = new Set(classes);
  const rows: MeasuredKernel[] = [];
  const add = (rs: MeasuredKernel[]) => {
    for (const r of rs) if (want.has(r.cls)) rows.push(r);
  };
  if (want.has('gemm')) add(gemmRows(dir, system, chip, ex));
  if (want.has('attention-prefill')) add(prefillRows(dir, system, ex));
  if (want.has('attention-decode')) add(decodeRows(dir, system, chip, ex));
  if (want.has('moe')) add(moeRows(dir, system, ex));
  if (want.has('elementwise')) add(elementwiseRows(dir, system, chip, ex));
  if (KERNEL_CLASSES.some((c) => c.startsWith('all') && want.has(c)) || want.has('reduce-scatter')) add(commRows(dir, system));
  return { rows, excluded: ex };
}

/** FNV-1a of a string: the deterministic split of shapes into fitted and held out. */
export function shapeHash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** One shape in five is held out, on every GPU alike. */
export const HELD_OUT_SHARE = 5;
export const isHeldOut = (key: string): boolean => shapeHash(key) % HELD_OUT_SHARE === 0;
