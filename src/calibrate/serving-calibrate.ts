import { median, quantile } from 'simple-statistics';
import type { Chip } from '../chip/chip.js';
import { listDesignPresets, loadDesign } from '../chip/load.js';
import { ValidationError } from '../errors.js';
import { evaluateAtBatch } from '../eval/evaluate.js';
import { parseWorkload } from '../workload/load.js';
import { readServingRows, type ServingRow } from './serving-rows.js';

/**
 * The measured serving rows against the serving model. Each row becomes a workload: the model's
 * preset, the row's prompt and output lengths, its concurrency per engine, tensor and pipeline
 * parallelism, and precisions from its labels; everything else is the workload defaults (token
 * budget 8192, paged KV, 90% memory utilization), the same for every row: no per-row tuning.
 *
 * What is assumed where the rows say nothing:
 * - The benchmark: a closed loop at the row's concurrency, 10 requests per client, the first
 *   burst included (request_count = 10 x concurrency, the setting AIConfigurator's own replay of
 *   these rows uses: docs/blogs/digital-twin-simulation, h100_qwen3_counterpart README).
 * - KV cache: TensorRT-LLM's default capacity scheduler (GUARANTEED_NO_EVICT) admits a request
 *   only when its whole context fits, so its rows reserve KV for input + output; vLLM and SGLang
 *   page it.
 * - Precisions: fp8 rows run fp8 weights and activations (the GEMM quant mode quantizes
 *   activations per tensor); fp8_block is fp8 in blocks of 128; nvfp4 is NVFP4 (fp4 in blocks of 16
 *   with an E4M3 scale, src/precision/formats.ts), weights and activations; empty is BF16. The KV cache is fp8 on TensorRT-LLM
 *   with a quantized checkpoint (ModelOpt's default kv_cache_quant_algo FP8) and BF16 otherwise
 *   (vLLM's and SGLang's kv_cache_dtype "auto").
 */
export const REQUESTS_PER_CLIENT = 10;

/**
 * Tokens per iteration each engine ran with: TensorRT-LLM's max_num_tokens default 8192;
 * vLLM 2048, the max_num_batched_tokens AIConfigurator's replay of these rows sets (with
 * gpu_memory_utilization 0.9: the replay config in its h100_qwen3_counterpart README), below the
 * 8192 vLLM defaults to on GPUs of 70 GiB or more; SGLang's chunked_prefill_size default 8192.
 */
export const TOKEN_BUDGETS: Record<string, number> = { trtllm: 8192, vllm: 2048, sglang: 8192 };

/** An engine's host costs (src/eval/serving.ts, mixedEngineSec and decodeEngineSec). */
export interface EngineHost {
  /** Host time each iteration adds (scheduling, sampling, output processing), seconds. */
  iterationOverheadSec: number;
  /** Host time to launch one layer of an iteration with prompt tokens (no CUDA graph), seconds. */
  eagerLayerSec: number;
}

/**
 * Each engine's host costs (src/eval/serving.ts, mixedEngineSec and decodeEngineSec), fitted by
 * `node bench/fit-engine-host.mjs` on the rows in odd lines of data/serving-measured.csv (isFitRow;
 * the even lines are held out, and `chipdse calibrate` reports them apart): a grid search per
 * engine for the least sum of TTFT's and TPOT's median |error| on its training rows.
 * - iterationOverheadSec: the host's work between two iterations (scheduling, sampling, output
 *   processing) that the accelerator waits for. TensorRT-LLM 1.0 ms, vLLM 1.25 ms, SGLang 1.75 ms.
 * - eagerLayerSec: vLLM captures CUDA graphs for decode batches only, so an iteration with prompt
 *   tokens launches its layers' kernels from the host, one layer at a time (piecewise); the fit
 *   gives 0.8 ms per layer, the figure AIConfigurator's vLLM backend charges for prefill dispatch
 *   (vllm_backend.py, _prefill_dispatch_overhead_ms: 0.8 ms x num_layers). For TensorRT-LLM and
 *   SGLang the fit gives 0 (their iterations with prompts are long enough to hide the launches).
 */
export const ENGINE_HOST: Record<string, EngineHost> = {
  trtllm: { iterationOverheadSec: 1e-3, eagerLayerSec: 0 },
  vllm: { iterationOverheadSec: 1.25e-3, eagerLayerSec: 0.8e-3 },
  sglang: { iterationOverheadSec: 1.75e-3, eagerLayerSec: 0 },
};

/** The chipdse design each measured system is calibrated as. */
export const SERVING_SYSTEMS: Record<string, string> = { a100_sxm: 'a100-sxm', h100_sxm: 'h100-sxm', h200_sxm: 'h200-sxm', b200_sxm: 'b200', gb200: 'gb200', b300_sxm: 'b300' };

/** The model preset of each measured checkpoint. */
export const SERVING_MODELS: Record<string, string> = {
  'meta-llama/Llama-3.1-8B-Instruct': 'llama-3.1-8b',
  'nvidia/Llama-3.1-8B-Instruct-FP8': 'llama-3.1-8b',
  'meta-llama/Llama-3.1-70B': 'llama-3.1-70b',
  'Qwen/Qwen3-32B': 'qwen3-32b',
  'nvidia/Qwen3-32B-NVFP4': 'qwen3-32b',
};

export interface ServingCalibrationRow {
  row: ServingRow;
  design: string;
  predictedTtftMs: number;
  predictedTpotMs: number;
  ttftError: number;
  tpotError: number;
  /** The model's own reasons the configuration would not run (memory, budget), if any. */
  infeasible: string[];
}

export interface ErrorStats {
  count: number;
  ttftMedianAbs: number;
  ttftP90Abs: number;
  tpotMedianAbs: number;
  tpotP90Abs: number;
}

export interface ServingCalibration {
  rows: ServingCalibrationRow[];
  skipped: { row: ServingRow; reason: string }[];
  /** Rows predicted more than 50% off, TTFT or TPOT. */
  misses: number;
  bySystemBackend: { system: string; backend: string; stats: ErrorStats }[];
  all: ErrorStats;
  /** The rows the engines' host costs were fitted on (odd lines) and those held out of that fit (even lines). */
  fitted: ErrorStats;
  heldOut: ErrorStats;
}

/** Whether a row is one the engines' host costs (ENGINE_HOST) were fitted on: the odd lines of the file. */
export function isFitRow(r: ServingRow): boolean {
  return r.line % 2 === 1;
}

function precisionOf(r: ServingRow): { weights: unknown; activations: unknown; kvCache: unknown } {
  const quantized = r.gemmQuantMode !== '';
  const kv = r.backend === 'trtllm' && quantized ? 'fp8' : 'bf16';
  switch (r.gemmQuantMode) {
    case 'fp8':
      return { weights: 'fp8', activations: 'fp8', kvCache: kv };
    case 'fp8_block': {
      const p = { format: 'fp8', blockSize: 128 };
      return { weights: p, activations: p, kvCache: kv };
    }
    case 'nvfp4':
      return { weights: 'nvfp4', activations: 'nvfp4', kvCache: kv };
    default:
      return { weights: 'bf16', activations: 'bf16', kvCache: 'bf16' };
  }
}

/** The workload a measured row describes (throws a ValidationError when this build cannot express it). */
export function servingRowWorkload(r: ServingRow, engines: Record<string, EngineHost> = ENGINE_HOST) {
  return parseWorkload(
    {
      name: `row ${r.line}`,
      model: SERVING_MODELS[r.model],
      phase: 'serve',
      batch: r.batchSize,
      inputTokens: r.isl,
      outputTokens: r.osl,
      precision: precisionOf(r),
      chips: r.tp * r.pp,
      parallelism: { tensor: r.tp, pipeline: r.pp },
      serving: { requestsPerClient: REQUESTS_PER_CLIENT, kvCache: r.backend === 'trtllm' ? 'reserved' : 'paged', tokenBudget: TOKEN_BUDGETS[r.backend] ?? 8192, schedule: r.backend === 'sglang' ? 'prefill-first' : 'mixed', ...(engines[r.backend] ?? {}) },
    },
    'serving row',
  );
}

function stats(rows: ServingCalibrationRow[]): ErrorStats {
  const t = rows.map((r) => Math.abs(r.ttftError));
  const p = rows.map((r) => Math.abs(r.tpotError));
  const q = (xs: number[], f: (v: number[]) => number) => (xs.length > 0 ? f(xs) : 0);
  return { count: rows.length, ttftMedianAbs: q(t, median), ttftP90Abs: q(t, (v) => quantile(v, 0.9)), tpotMedianAbs: q(p, median), tpotP90Abs: q(p, (v) => quantile(v, 0.9)) };
}

/** Runs every measured serving row whose system has a design and whose precision this build expresses. */
export function calibrateServing(rows: ServingRow[] = readServingRows(), engines: Record<string, EngineHost> = ENGINE_HOST): ServingCalibration {
  const designs = new Set(listDesignPresets());
  const chips = new Map<string, Chip>();
  const out: ServingCalibrationRow[] = [];
  const skipped: { row: ServingRow; reason: string }[] = [];
  for (const row of rows) {
    const design = SERVING_SYSTEMS[row.system];
    if (!design || !designs.has(design)) {
      skipped.push({ row, reason: `no design preset for ${row.system}${design ? ` (designs/${design}.json)` : ''}` });
      continue;
    }
    if (!SERVING_MODELS[row.model]) {
      skipped.push({ row, reason: `no model preset for ${row.model}` });
      continue;
    }
    let w;
    try {
      w = servingRowWorkload(row, engines);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      skipped.push({ row, reason: `this build cannot express it (${e.message.split('\n')[0].replace(/^serving row: /, '')})` });
      continue;
    }
    if (!chips.has(design)) chips.set(design, loadDesign(design));
    const e = evaluateAtBatch(chips.get(design)!, w, row.batchSize, false);
    const ttft = e.metrics.ttftSec * 1e3;
    const tpot = e.metrics.tpotSec * 1e3;
    out.push({ row, design, predictedTtftMs: ttft, predictedTpotMs: tpot, ttftError: (ttft - row.ttftMs) / row.ttftMs, tpotError: (tpot - row.tpotMs) / row.tpotMs, infeasible: e.reasons });
  }
  const groups = new Map<string, ServingCalibrationRow[]>();
  for (const r of out) {
    const k = `${r.row.system}\u0000${r.row.backend}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const bySystemBackend = [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, rs]) => {
    const [system, backend] = k.split('\u0000');
    return { system, backend, stats: stats(rs) };
  });
  const misses = out.filter((r) => Math.abs(r.ttftError) > 0.5 || Math.abs(r.tpotError) > 0.5).length;
  return { rows: out, skipped, misses, bySystemBackend, all: stats(out), fitted: stats(out.filter((r) => isFitRow(r.row))), heldOut: stats(out.filter((r) => !isFitRow(r.row))) };
}
