import { bytesPerValue } from '../precision/formats.js';
import { backwardPass, forwardPass } from '../workload/passes.js';
import type { Step } from '../workload/step.js';
import type { Workload } from '../workload/workload.js';
import { paramsPerChip } from './memory.js';
import { pipelineSend, precisionsOf, splitOf, uniformStep, workloadMemo } from './step-lists.js';

/** A training step's per-chip step lists: they depend only on the workload, so they are built once per workload. */
export interface TrainingSteps {
  /** One micro-batch: forward, backward, pipeline sends both ways, FSDP collectives. */
  microBatchSteps: Step[];
  /** The last micro-batch's backward pass and the gradient all-reduce that hides behind it. */
  syncSteps: Step[];
  /** syncSteps' two parts: the backward pass (no collectives), and the gradient all-reduce (none without data parallelism). */
  lastBackwardSteps: Step[];
  gradientSyncSteps: Step[];
  optimizerSteps: Step[];
  /** Parameters held by one chip. */
  params: number;
  gradBytes: number;
}

/**
 * The lists a training evaluation costs, their steps copied into the one shape every kind shares
 * (uniformStep): the step loop's reads of a training pass's steps (matrix products, attention,
 * elementwise work, collectives of several shapes) are then monomorphic.
 */
export const trainingSteps = workloadMemo((w: Workload): TrainingSteps => {
  const t = buildTrainingSteps(w);
  const syncSteps = t.syncSteps.map(uniformStep);
  const backward = t.lastBackwardSteps.length;
  return { ...t, microBatchSteps: t.microBatchSteps.map(uniformStep), syncSteps, lastBackwardSteps: syncSteps.slice(0, backward), gradientSyncSteps: syncSteps.slice(backward), optimizerSteps: t.optimizerSteps.map(uniformStep) };
});

export function buildTrainingSteps(w: Workload): TrainingSteps {
  const m = w.model!;
  const { tensor: t, pipeline: p, data: d } = w.parallelism;
  const micro = w.training.microBatch;
  const s = w.inputTokens;
  const fwd = forwardPass(m, { batch: micro, queries: s, context: (s + 1) / 2, logitsTokens: micro * s }, splitOf(w), precisionsOf(w));
  const bwd = backwardPass(fwd, w.training.recompute === 'full');
  const send = pipelineSend(w, micro * s, m.hiddenSize);
  const params = paramsPerChip(m, t, p, w.parallelism.expert);
  const full = w.training.sharding === 'full';
  const gradBytes = params * bytesPerValue(w.precision.gradients);
  const weightBytes = params * bytesPerValue(w.precision.weights);
  // FSDP: weights all-gathered for the forward and again for the backward pass, gradients
  // reduce-scattered, per micro-batch, prefetched behind the computation.
  const fsdp: Step[] = full && d > 1
    ? [
        { kind: 'collective', name: 'weight all-gather fwd (FSDP)', op: 'all-gather', group: 'data', groupSize: d, bytes: weightBytes, rowBytes: 0, overlap: 'compute', repeat: 1 },
        { kind: 'collective', name: 'weight all-gather bwd (FSDP)', op: 'all-gather', group: 'data', groupSize: d, bytes: weightBytes, rowBytes: 0, overlap: 'compute', repeat: 1 },
        { kind: 'collective', name: 'gradient reduce-scatter (FSDP)', op: 'reduce-scatter', group: 'data', groupSize: d, bytes: gradBytes, rowBytes: 0, overlap: 'backward', repeat: 1 },
      ]
    : [];
  const microBatchSteps = [...fwd.map((x) => Object.assign({}, x, { part: 'forward' as const })), ...bwd, ...send, ...send, ...fsdp];
  const optShard = w.training.sharding === 'none' ? 1 : d;
  const dSite = d / w.training.sites;
  // Context-parallel chips hold the same weights: their gradients are reduced with the data replicas'.
  const syncGroup = dSite * w.parallelism.context;
  const sync: Step[] = syncGroup > 1 && !full ? [{ kind: 'collective', name: 'gradient all-reduce (DP)', op: 'all-reduce', group: 'data', groupSize: syncGroup, bytes: gradBytes, rowBytes: 0, overlap: 'backward', repeat: 1 }] : [];
  // The last micro-batch's backward pass is what the gradient sync can hide behind.
  const lastBackward = bwd.filter((x) => x.kind !== 'collective').map((x) => ({ ...x, repeat: x.repeat / p }));
  const optimizerSteps: Step[] = [
    // Adam on the local shard: read weights, gradient, fp32 master and two moments; write them back (~30 B/param).
    { kind: 'elementwise', name: 'adam update', elements: params / optShard, flopsPerElement: 12, bytesPerElement: 2 * (bytesPerValue(w.precision.weights) + 3 * bytesPerValue(w.precision.optimizer)) + bytesPerValue(w.precision.gradients), repeat: 1, part: 'optimizer' },
  ];
  return { microBatchSteps, syncSteps: [...lastBackward, ...sync], lastBackwardSteps: lastBackward, gradientSyncSteps: sync, optimizerSteps, params, gradBytes };
}
