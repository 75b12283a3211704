import type { Precision } from '../precision/formats.js';
import type { Chip } from '../chip/chip.js';
import type { Deployment } from './deployment.js';
import type { ModelConfig } from './model.js';
import type { Phase } from './schema.js';
import type { TraceFileRun } from './trace-file.js';

/**
 * A validated workload, with models resolved, trace files converted and precisions canonical.
 * Loaded workloads are frozen, with everything in them: the evaluator builds their step lists
 * once and reuses them, so a workload never changes; change a copy instead.
 */
export interface Workload {
  name: string;
  source: string;
  model: ModelConfig | undefined;
  /** The trace file's steps, run instead of a model's passes. */
  traceFile: TraceFileRun | undefined;
  phase: Phase;
  batch: number | 'auto';
  inputTokens: number;
  outputTokens: number;
  precision: { weights: Precision; activations: Precision; kvCache: Precision; gradients: Precision; optimizer: Precision };
  chips: number;
  parallelism: Parallelism;
  slo: { ttftSec?: number; tpotSec?: number; ttftP90Sec?: number };
  /** How the serving engine runs (defaults filled in; see src/workload/schema.ts for their sources). */
  serving: ServingOptions;
  speculative: { drafter: ModelConfig; draftTokens: number; acceptanceRate: number } | undefined;
  training: { microBatch: number; recompute: 'none' | 'full'; sharding: 'none' | 'optimizer' | 'full'; virtualStages: number; sites: number; restartSec: number };
  /** Where and how the chips run, for the total cost of ownership. */
  deployment: Deployment;
  mix: { workload: Workload; weight: number }[] | undefined;
}

export interface Parallelism {
  tensor: number;
  pipeline: number;
  data: number;
  expert: number;
  context: number;
}

export interface ServingOptions {
  tokenBudget: number;
  memoryUtilization: number;
  kvCache: 'paged' | 'reserved';
  /** Longest context a sequence may reach (the engine's max_seq_len); undefined: a request's own input + output. */
  maxContextTokens: number | undefined;
  prefixCacheHitRate: number;
  /** Open loop: requests per second arriving at the whole workload; undefined: a closed loop at the concurrency. */
  arrivalRatePerSec: number | undefined;
  /** Closed loop: requests per client in a measured run (its first burst included); undefined: steady state. */
  requestsPerClient: number | undefined;
  expertRoutingGini: number;
  /** mixed: prompt chunks ride in decode iterations (vLLM, TensorRT-LLM); prefill-first: prompts run in iterations of their own first (SGLang). */
  schedule: 'mixed' | 'prefill-first';
  /** Host time each engine iteration adds (scheduling, sampling, output processing). */
  iterationOverheadSec: number;
  /** Host time to launch one layer of an iteration carrying prompt tokens (no CUDA graph): its floor is layers x this. */
  eagerLayerSec: number;
  /** Prefill on a pool of its own (of `prefillChip`, or the evaluated design when undefined). */
  disaggregated: { prefillChip: Chip | undefined; prefillParallelism: Parallelism } | undefined;
}
