import type { Precision } from '../precision/formats.js';
import type { ModelConfig } from './model.js';
import type { Phase, TraceFile } from './schema.js';

/** A validated workload, with models resolved and precisions canonical. */
export interface Workload {
  name: string;
  source: string;
  model: ModelConfig | undefined;
  trace: TraceFile | undefined;
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
  mix: { workload: Workload; weight: number }[] | undefined;
}
