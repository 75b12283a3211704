import { bytesPerValue } from '../precision/formats.js';
import type { Chip } from '../chip/chip.js';
import { kvValuesPerTokenPerLayer, moeLayerCount, paramCounts, type ModelConfig } from '../workload/model.js';
import type { Workload } from '../workload/workload.js';
import { residentWeightsSramBytes } from './sram.js';
import type { Placement } from './step-cost.js';
import type { ChipContext } from './context.js';
import type { MemoryFootprint } from './types.js';
import { workloadMemo } from './step-lists.js';

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

/**
 * Context tokens the KV cache holds per sequence in flight. Paged (vLLM's PagedAttention, Kwon et
 * al., SOSP 2023): the live context, on average the prompt plus half the output (a prefill-only
 * engine holds the prompt; a sequence's context never exceeds maxContextTokens). Reserved: room for
 * a whole request from the start (static batching; TensorRT-LLM's GUARANTEED_NO_EVICT scheduler).
 */
export function kvTokensPerSequence(w: Workload): number {
  const sv = w.serving;
  const whole = Math.min(sv.maxContextTokens ?? Infinity, w.inputTokens + w.outputTokens);
  if (sv.kvCache === 'reserved') return whole;
  return w.phase === 'prefill' ? w.inputTokens : Math.min(whole, w.inputTokens + w.outputTokens / 2);
}

/** Tokens per sequence per decode iteration: 1, or the drafted tokens plus one to verify them (speculative decoding). */
export function queriesPerDecode(w: Workload): number {
  return w.speculative ? w.speculative.draftTokens + 1 : 1;
}

/** The parts of a serving chip's memory that do not depend on the concurrency, and the KV bytes each sequence adds. */
export interface ServingMemoryParts {
  weightsBytes: number;
  expertWeightsBytes: number;
  activationBytes: number;
  drafterWeightsBytes: number;
  reservedBytes: number;
  /** KV cache (target model and drafter) per sequence in flight in the replica, on each of its chips. */
  kvBytesPerSequence: number;
  drafterKvBytesPerSequence: number;
}

export function servingMemoryParts(chip: Chip, w: Workload): ServingMemoryParts {
  return withReserved(chipFreeParts(w), chip, w);
}

/** The parts with the engine's free share of the chip's HBM (the one part that depends on the chip). */
function withReserved(f: Omit<ServingMemoryParts, 'reservedBytes'>, chip: Chip, w: Workload): ServingMemoryParts {
  return {
    weightsBytes: f.weightsBytes,
    expertWeightsBytes: f.expertWeightsBytes,
    activationBytes: f.activationBytes,
    drafterWeightsBytes: f.drafterWeightsBytes,
    reservedBytes: (1 - w.serving.memoryUtilization) * chip.hbmBytes,
    kvBytesPerSequence: f.kvBytesPerSequence,
    drafterKvBytesPerSequence: f.drafterKvBytesPerSequence,
  };
}

/** chipFreeParts once per workload (frozen by the memo), for an evaluation's servingLimits. */
const chipFreePartsOnce = workloadMemo(chipFreeParts);

function chipFreeParts(w: Workload): Omit<ServingMemoryParts, 'reservedBytes'> {
  const m = w.model!;
  const { tensor: t, pipeline: p, expert: e, context: c } = w.parallelism;
  const wb = bytesPerValue(w.precision.weights);
  const ab = bytesPerValue(w.precision.activations);
  const kvb = bytesPerValue(w.precision.kvCache);
  const tokens = kvTokensPerSequence(w);
  // Engines size activation memory for a full iteration of the token budget (a prefill chunk and the decode tokens).
  const chunk = w.serving.tokenBudget / c;
  let drafterWeightsBytes = 0;
  let drafterKvBytesPerSequence = 0;
  if (w.speculative) {
    const dm = w.speculative.drafter;
    const dt = dm.heads % t === 0 ? t : 1;
    drafterWeightsBytes = paramsPerChip(dm, dt, 1, 1) * wb;
    drafterKvBytesPerSequence = tokens * dm.layers * kvBytesPerTokenPerLayerPerChip(dm, dt, kvb);
  }
  return {
    weightsBytes: paramsPerChip(m, t, p, e) * wb,
    expertWeightsBytes: expertParamsPerChip(m, t, p, e) * wb,
    activationBytes: servingActivationBytes(chunk, m.hiddenSize, m.intermediateSize, t, ab),
    drafterWeightsBytes,
    kvBytesPerSequence: (tokens * (m.layers / p) * kvBytesPerTokenPerLayerPerChip(m, t, kvb)) / c,
    drafterKvBytesPerSequence,
  };
}

/** A serving workload's memory parts on an evaluation's chip and the concurrency they allow, derived once per evaluation. */
export function servingLimits(cx: ChipContext, w: Workload): { parts: ServingMemoryParts; limit: number } {
  return cx.memo(w, () => {
    const parts = withReserved(chipFreePartsOnce(w), cx.chip, w);
    return { parts, limit: servingConcurrencyLimit(cx.chip, parts) };
  });
}

/** Per-chip memory of a serving engine (prefill, decode or both) at `batch` sequences in flight per replica. */
export function servingMemory(chip: Chip, w: Workload, batch: number): MemoryFootprint {
  return servingFootprint(chip, servingMemoryParts(chip, w), batch);
}

/** Per-chip memory of a serving engine at `batch` sequences in flight per replica: a concurrency search asks once a probe. */
export function servingFootprint(chip: Chip, parts: ServingMemoryParts, batch: number): MemoryFootprint {
  const drafterBytes = parts.drafterWeightsBytes + batch * parts.drafterKvBytesPerSequence;
  return placeParts(chip, parts.weightsBytes, batch * parts.kvBytesPerSequence, parts.activationBytes, 0, 0, drafterBytes, parts.reservedBytes, parts.expertWeightsBytes);
}

/**
 * The most sequences per replica whose memory fits: the KV cache fills what HBM leaves beside the
 * weights, activations, drafter and the engine's free share. Weights that fit in HBM on their own
 * stay there (the engine does not push them to a DRAM tier to make room for KV); weights that do
 * not are read from DRAM, and the KV cache may fill HBM. 0 when not even one sequence fits.
 */
export function servingConcurrencyLimit(chip: Chip, parts: ServingMemoryParts): number {
  const fixed = parts.activationBytes + parts.drafterWeightsBytes + parts.reservedBytes;
  const perSeq = parts.kvBytesPerSequence + parts.drafterKvBytesPerSequence;
  const beside = parts.weightsBytes + fixed <= chip.hbmBytes ? parts.weightsBytes : chip.dramBytes > 0 ? Math.max(0, parts.weightsBytes - chip.dramBytes) : parts.weightsBytes;
  const room = chip.hbmBytes - fixed - beside;
  if (perSeq <= 0) return room >= 0 ? Number.MAX_SAFE_INTEGER : 0;
  return Math.max(0, Math.floor(room / perSeq + 1e-9));
}

/**
 * Activation bytes of one prefill chunk of `tokens` tokens on a chip, the live tensors of one
 * layer at a time: about 4 h (layer input, attention output, residual, norm) plus the FFN's
 * up/gate/down intermediates 3 ff / t, in the activation precision.
 */
export function servingActivationBytes(tokens: number, h: number, ff: number, t: number, actBytes: number): number {
  return tokens * (4 * h + (3 * ff) / t) * actBytes;
}

/** Per-chip memory of a training step at `batch` sequences: weights (or an FSDP shard), activations kept for the backward pass, gradients, optimizer state. */
export function trainingMemory(chip: Chip, w: Workload, batch: number): MemoryFootprint {
  const m = w.model!;
  const { tensor: t, pipeline: p, data: d, expert: e, context: c } = w.parallelism;
  const wb = bytesPerValue(w.precision.weights);
  const ab = bytesPerValue(w.precision.activations);
  const perReplica = batch / d;
  const params = paramsPerChip(m, t, p, e);
  const weightsBytes = params * wb;
  const layersHere = m.layers / p;
  const micro = w.training.microBatch;
  const microBatches = perReplica / micro;
  const perLayer = trainActivationBytesPerTokenPerLayer(m, t, w.training.recompute === 'full', ab);
  const activationBytes = (micro * w.inputTokens * layersHere * Math.min(p, microBatches) * perLayer) / c;
  const full = w.training.sharding === 'full';
  const gradientBytes = (params * bytesPerValue(w.precision.gradients)) / (full ? d : 1);
  // Adam: fp32 master weights, first and second moments.
  const optimizerBytes = (params * 3 * bytesPerValue(w.precision.optimizer)) / (w.training.sharding === 'none' ? 1 : d);
  if (full) {
    // FSDP keeps its shard, plus two layers gathered at a time (the one computing, the next prefetching).
    const shard = weightsBytes / d;
    const gathered = (2 * weightsBytes) / layersHere;
    return placeMemory(chip, { weightsBytes: shard + gathered, kvCacheBytes: 0, activationBytes, gradientBytes, optimizerBytes, drafterBytes: 0 });
  }
  return placeMemory(chip, { weightsBytes, kvCacheBytes: 0, activationBytes, gradientBytes, optimizerBytes, drafterBytes: 0 }, expertParamsPerChip(m, t, p, e) * wb);
}

/**
 * Puts everything in HBM; only weights may spill to the DRAM tier (read from there at its
 * bandwidth when used). Weights that fit in the SRAM the working set leaves (eval/sram.ts) stay
 * on chip across steps.
 */
export function placeMemory(
  chip: Chip,
  parts: Pick<MemoryFootprint, 'weightsBytes' | 'kvCacheBytes' | 'activationBytes' | 'gradientBytes' | 'optimizerBytes' | 'drafterBytes'> & { reservedBytes?: number },
  expertWeightsBytes = 0,
): MemoryFootprint {
  const { weightsBytes: wb, kvCacheBytes, activationBytes, gradientBytes, optimizerBytes, drafterBytes } = parts;
  return placeParts(chip, wb, kvCacheBytes, activationBytes, gradientBytes, optimizerBytes, drafterBytes, parts.reservedBytes ?? 0, expertWeightsBytes);
}

/** placeMemory of the parts given one by one (no parts object to build per call). */
function placeParts(
  chip: Chip,
  weightsBytes: number,
  kvCacheBytes: number,
  activationBytes: number,
  gradientBytes: number,
  optimizerBytes: number,
  drafterBytes: number,
  reservedBytes: number,
  expertWeightsBytes: number,
): MemoryFootprint {
  const other = kvCacheBytes + activationBytes + gradientBytes + optimizerBytes + drafterBytes + reservedBytes;
  const totalBytes = other + weightsBytes;
  const spill = spillOf(chip, weightsBytes, other);
  return {
    weightsBytes,
    kvCacheBytes,
    activationBytes,
    gradientBytes,
    optimizerBytes,
    drafterBytes,
    reservedBytes,
    totalBytes,
    hbmBytes: Math.min(totalBytes, chip.hbmBytes),
    dramBytes: spill,
    weightsInDramFraction: weightsBytes > 0 ? spill / weightsBytes : 0,
    expertsInDramFraction: expertsInDram(spill, expertWeightsBytes),
    denseInDramFraction: denseInDram(spill, weightsBytes, expertWeightsBytes),
    weightsInSram: weightsInSram(chip, weightsBytes),
  };
}

/** Weight bytes read from the DRAM tier: what HBM cannot hold beside the `other` bytes. */
function spillOf(chip: Chip, weightsBytes: number, other: number): number {
  const weightsInHbm = Math.max(0, Math.min(weightsBytes, chip.hbmBytes - other));
  // Without a DRAM tier nothing can spill: timings are then those of an HBM big enough, and the result is marked as not fitting.
  return chip.dramBytes > 0 ? weightsBytes - weightsInHbm : 0;
}

/** MoE experts are the cold weights: they go to DRAM first, and are read from there only when routed to. */
function expertsInDram(spill: number, expertWeightsBytes: number): number {
  return expertWeightsBytes > 0 ? Math.min(spill, expertWeightsBytes) / expertWeightsBytes : 0;
}

function denseInDram(spill: number, weightsBytes: number, expertWeightsBytes: number): number {
  return weightsBytes > expertWeightsBytes ? Math.max(0, spill - expertWeightsBytes) / (weightsBytes - expertWeightsBytes) : 0;
}

function weightsInSram(chip: Chip, weightsBytes: number): boolean {
  return weightsBytes > 0 && weightsBytes <= residentWeightsSramBytes(chip.sramBytes);
}

/**
 * placementFor(w, servingFootprint(chip, parts, batch)), the same bits, without the footprint: a
 * concurrency search's probe reads the placement alone. Given `same`, a placement for the same
 * workload, returns it where its fields are these (the same bits: Object.is).
 */
export function servingPlacement(chip: Chip, w: Workload, parts: ServingMemoryParts, batch: number, same?: Placement): Placement {
  const wb = parts.weightsBytes;
  const e = parts.expertWeightsBytes;
  const drafterBytes = parts.drafterWeightsBytes + batch * parts.drafterKvBytesPerSequence;
  // As placeParts sums them (no gradients or optimizer state).
  const other = batch * parts.kvBytesPerSequence + parts.activationBytes + 0 + 0 + drafterBytes + parts.reservedBytes;
  const spill = spillOf(chip, wb, other);
  const inSram = weightsInSram(chip, wb);
  const experts = expertsInDram(spill, e);
  const dense = denseInDram(spill, wb, e);
  // `same`, a placement of w's, when it has these fields (a probe's placement is most often the last one's: no object allocated).
  if (same !== undefined && same.weightsInSram === inSram && Object.is(same.expertsInDramFraction, experts) && Object.is(same.denseInDramFraction, dense)) return same;
  return placementOf(w, inSram, experts, dense);
}

/** Why a footprint does not fit, or undefined when it does. */
export function memoryShortfall(chip: Chip, mem: MemoryFootprint): string | undefined {
  const gb = (b: number) => `${(b / 1e9).toFixed(1)} GB`;
  const other = mem.totalBytes - mem.weightsBytes;
  if (other > chip.hbmBytes) {
    return `needs ${gb(other)} of KV cache, activations and optimizer state per chip in HBM${mem.reservedBytes > 0 ? ` (with ${gb(mem.reservedBytes)} the serving engine keeps free)` : ''}, which holds ${gb(chip.hbmBytes)}`;
  }
  if (mem.totalBytes > chip.hbmBytes + chip.dramBytes) {
    const where = chip.dramBytes > 0 ? `HBM ${gb(chip.hbmBytes)} + DRAM ${gb(chip.dramBytes)}` : `HBM ${gb(chip.hbmBytes)} (no DRAM tier)`;
    return `needs ${gb(mem.totalBytes)} per chip (weights ${gb(mem.weightsBytes)}, KV cache ${gb(mem.kvCacheBytes)}), more than ${where}`;
  }
  return undefined;
}

/** Where a phase reads its weights from, and how the parallel groups nest (tensor inside context inside pipeline inside data). */
export function placementFor(w: Workload, mem: MemoryFootprint): Placement {
  return placementOf(w, mem.weightsInSram, mem.expertsInDramFraction, mem.denseInDramFraction);
}

function placementOf(w: Workload, weightsInSram: boolean, expertsInDramFraction: number, denseInDramFraction: number): Placement {
  const { tensor: t, pipeline: p, context: c } = w.parallelism;
  return { weightsInSram, expertsInDramFraction, denseInDramFraction, innerChips: { tensor: 1, expert: 1, context: t, pipeline: t * c, data: t * c * p } };
}
