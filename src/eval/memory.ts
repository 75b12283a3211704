import { bytesPerValue } from '../precision/formats.js';
import type { Chip } from '../chip/chip.js';
import { kvValuesPerTokenPerLayer, moeLayerCount, paramCounts, type ModelConfig } from '../workload/model.js';
import type { Workload } from '../workload/workload.js';
import type { MemoryFootprint } from './types.js';

/** Prompts are prefilled in chunks of at most this many tokens (chunked prefill), which bounds activation memory. */
export const PREFILL_CHUNK_TOKENS = 8192;

/**
 * Activation bytes per token per layer kept for the backward pass, sequence-parallel with tensor
 * parallelism t (everything split t ways), attention scores not stored (FlashAttention keeps Q, K, V,
 * its output and a per-row log-sum-exp), no dropout masks (Llama-style pretraining uses none).
 * Korthikanti et al., "Reducing Activation Recomputation in Large Transformer Models", MLSys 2023,
 * sec. 4.1, itemized per tensor in the activation format:
 *   attention   input of the QKV projection h, Q (heads x qkDim), K and V (kvHeads x (qkDim + vDim)),
 *               the attention output h (also the output projection's input)
 *   MLP         input h; gated (SwiGLU): gate and up outputs 2 I and their product I; plain: 2 I
 *               (with I the routed width k x expert width plus shared experts, for MoE layers)
 *   norms       the inputs of the two norms, 2 h
 * With GPT-3's shapes (I = 4h, multi-head, plain GeLU) and one byte per hidden dropout mask added,
 * this is the paper's 34 h bytes; Llama 3 405B (SwiGLU, I = 3.25 h, 8 KV heads of 128) keeps
 * 31.75 h. With full recomputation only each layer's input is kept: h values.
 */
export function trainActivationBytesPerTokenPerLayer(m: ModelConfig, t: number, recompute: boolean, actBytes: number): number {
  const h = m.hiddenSize;
  if (recompute) return (h * actBytes) / t;
  const qk = m.mla ? m.mla.qkNopeHeadDim + m.mla.qkRopeHeadDim : m.headDim;
  const v = m.mla ? m.mla.vHeadDim : m.headDim;
  const kvHeads = m.mla ? m.heads : m.kvHeads;
  const attention = 2 * h + m.heads * qk + kvHeads * (qk + v);
  const perMlpWidth = m.gatedFfn ? 3 : 2;
  const moeLayers = moeLayerCount(m);
  const moeWidth = m.moe ? (m.moe.expertsPerToken + m.moe.sharedExperts) * m.moe.expertIntermediateSize : 0;
  const mlpWidth = (moeLayers * moeWidth + (m.layers - moeLayers) * m.intermediateSize) / m.layers;
  const mlp = h + perMlpWidth * mlpWidth;
  const norms = 2 * h;
  return ((attention + mlp + norms) * actBytes) / t;
}

/** KV-cache bytes per token per layer on one chip: heads split over the tensor group (replicated past the KV-head count; MLA's latent is replicated). */
export function kvBytesPerTokenPerLayerPerChip(m: ModelConfig, t: number, kvBytes: number): number {
  if (m.mla) return kvValuesPerTokenPerLayer(m) * kvBytes;
  return 2 * Math.max(1, m.kvHeads / t) * m.headDim * kvBytes;
}

/** Parameters held by one chip: dense parts split over tensor x pipeline, experts over max(expert, tensor) x pipeline. */
export function paramsPerChip(m: ModelConfig, t: number, p: number, e: number): number {
  const c = paramCounts(m);
  const experts = moeLayerCount(m) * c.moeRoutedPerLayer;
  return ((c.total - experts) / t + experts / Math.max(e, t)) / p;
}

export function expertParamsPerChip(m: ModelConfig, t: number, p: number, e: number): number {
  return (moeLayerCount(m) * paramCounts(m).moeRoutedPerLayer) / Math.max(e, t) / p;
}

export function modelMemory(chip: Chip, w: Workload, m: ModelConfig, batch: number): MemoryFootprint {
  const { tensor: t, pipeline: p, data: d, expert: e, context: c } = w.parallelism;
  const wb = bytesPerValue(w.precision.weights);
  const ab = bytesPerValue(w.precision.activations);
  const perReplica = batch / d;
  const params = paramsPerChip(m, t, p, e);
  const weightsBytes = params * wb;
  const layersHere = m.layers / p;
  let kvCacheBytes = 0;
  let activationBytes = 0;
  let gradientBytes = 0;
  let optimizerBytes = 0;
  let drafterBytes = 0;
  if (w.phase === 'train') {
    const micro = w.training.microBatch;
    const microBatches = perReplica / micro;
    const perLayer = trainActivationBytesPerTokenPerLayer(m, t, w.training.recompute === 'full', ab);
    activationBytes = (micro * w.inputTokens * layersHere * Math.min(p, microBatches) * perLayer) / c;
    const full = w.training.sharding === 'full';
    gradientBytes = (params * bytesPerValue(w.precision.gradients)) / (full ? d : 1);
    // Adam: fp32 master weights, first and second moments.
    optimizerBytes = (params * 3 * bytesPerValue(w.precision.optimizer)) / (w.training.sharding === 'none' ? 1 : d);
    if (full) {
      // FSDP keeps its shard, plus two layers gathered at a time (the one computing, the next prefetching).
      const shard = weightsBytes / d;
      const gathered = (2 * weightsBytes) / layersHere;
      return placeMemory(chip, { weightsBytes: shard + gathered, kvCacheBytes, activationBytes, gradientBytes, optimizerBytes, drafterBytes });
    }
  } else {
    const context = w.inputTokens + (w.phase === 'prefill' ? 0 : w.outputTokens);
    kvCacheBytes = (perReplica * context * layersHere * kvBytesPerTokenPerLayerPerChip(m, t, bytesPerValue(w.precision.kvCache))) / c;
    const chunk = Math.min(PREFILL_CHUNK_TOKENS, (perReplica / p) * w.inputTokens) / c;
    activationBytes = chunk * (4 * m.hiddenSize + (3 * m.intermediateSize) / t) * ab;
    if (w.speculative) {
      const dm = w.speculative.drafter;
      const dt = dm.heads % t === 0 ? t : 1;
      drafterBytes = paramsPerChip(dm, dt, 1, 1) * wb + perReplica * context * dm.layers * kvBytesPerTokenPerLayerPerChip(dm, dt, bytesPerValue(w.precision.kvCache));
    }
  }
  return placeMemory(chip, { weightsBytes, kvCacheBytes, activationBytes, gradientBytes, optimizerBytes, drafterBytes }, expertParamsPerChip(m, t, p, e) * wb);
}

/**
 * Puts everything in HBM; only weights may spill to the DRAM tier (read from there at its
 * bandwidth when used). Weights that fit in half the SRAM stay on chip across steps.
 */
export function placeMemory(
  chip: Chip,
  parts: Pick<MemoryFootprint, 'weightsBytes' | 'kvCacheBytes' | 'activationBytes' | 'gradientBytes' | 'optimizerBytes' | 'drafterBytes'>,
  expertWeightsBytes = 0,
): MemoryFootprint {
  const other = parts.kvCacheBytes + parts.activationBytes + parts.gradientBytes + parts.optimizerBytes + parts.drafterBytes;
  const totalBytes = other + parts.weightsBytes;
  const weightsInHbm = Math.max(0, Math.min(parts.weightsBytes, chip.hbmBytes - other));
  // Without a DRAM tier nothing can spill: timings are then those of an HBM big enough, and the result is marked as not fitting.
  const spill = chip.dramBytes > 0 ? parts.weightsBytes - weightsInHbm : 0;
  return {
    weightsBytes: parts.weightsBytes,
    kvCacheBytes: parts.kvCacheBytes,
    activationBytes: parts.activationBytes,
    gradientBytes: parts.gradientBytes,
    optimizerBytes: parts.optimizerBytes,
    drafterBytes: parts.drafterBytes,
    totalBytes,
    hbmBytes: Math.min(totalBytes, chip.hbmBytes),
    dramBytes: spill,
    weightsInDramFraction: parts.weightsBytes > 0 ? spill / parts.weightsBytes : 0,
    // MoE experts are the cold weights: they go to DRAM first, and are read from there only when routed to.
    expertsInDramFraction: expertWeightsBytes > 0 ? Math.min(spill, expertWeightsBytes) / expertWeightsBytes : 0,
    denseInDramFraction: parts.weightsBytes > expertWeightsBytes ? Math.max(0, spill - expertWeightsBytes) / (parts.weightsBytes - expertWeightsBytes) : 0,
    weightsInSram: parts.weightsBytes > 0 && parts.weightsBytes <= chip.sramBytes * 0.5,
  };
}

/** Why a footprint does not fit, or undefined when it does. */
export function memoryShortfall(chip: Chip, mem: MemoryFootprint): string | undefined {
  const gb = (b: number) => `${(b / 1e9).toFixed(1)} GB`;
  const other = mem.totalBytes - mem.weightsBytes;
  if (other > chip.hbmBytes) {
    return `needs ${gb(other)} of KV cache, activations and optimizer state per chip in HBM, which holds ${gb(chip.hbmBytes)}`;
  }
  if (mem.totalBytes > chip.hbmBytes + chip.dramBytes) {
    const where = chip.dramBytes > 0 ? `HBM ${gb(chip.hbmBytes)} + DRAM ${gb(chip.dramBytes)}` : `HBM ${gb(chip.hbmBytes)} (no DRAM tier)`;
    return `needs ${gb(mem.totalBytes)} per chip (weights ${gb(mem.weightsBytes)}, KV cache ${gb(mem.kvCacheBytes)}), more than ${where}`;
  }
  return undefined;
}
