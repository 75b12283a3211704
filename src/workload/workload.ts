import type { Precision } from '../precision/formats.js';
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
  parallelism: { tensor: number; pipeline: number; data: number; expert: number; context: number };
  slo: { ttftSec?: number; tpotSec?: number };
  speculative: { drafter: ModelConfig; draftTokens: number; acceptanceRate: number } | undefined;
  training: { microBatch: number; recompute: 'none' | 'full'; sharding: 'none' | 'optimizer' | 'full'; virtualStages: number; sites: number; restartSec: number };
  /** Where and how the chips run, for the total cost of ownership. */
  deployment: Deployment;
  mix: { workload: Workload; weight: number }[] | undefined;
}
