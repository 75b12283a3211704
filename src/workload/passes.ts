import { bytesPerValue, type Precision } from '../precision/formats.js';
import { moeLayerCount, type ModelConfig } from './model.js';
import { busiestRank, touchedExperts } from './moe-routing.js';
import type { AttentionStep, MatmulStep, Step } from './step.js';

/** How one pass of a model is split over chips. */
export interface ParallelSplit {
  tensor: number;
  expert: number;
  /** Context parallelism: the sequence split over this many chips (1 when absent). */
  context?: number;
}

export interface PassPrecisions {
  weights: Precision;
  activations: Precision;
  kvCache: Precision;
}

/**
 * One forward pass over all layers, per chip of a tensor-parallel group.
 * `batch` sequences each bring `queries` new tokens and attend over `context` positions
 * (for causal prefill, the mean context of its queries). `logitsTokens` tokens go through the
 * LM head (the last token of each sequence when serving, all tokens when training).
 * `expertSourceTokens`: tokens whose routing reaches this chip's experts (more than the
 * local batch when experts are spread over more chips than the tensor group).
 */
export interface PassShape {
  batch: number;
  queries: number;
  context: number;
  logitsTokens: number;
}

const MLA_ABSORB_MAX_QUERIES = 16;

/**
 * MoE routing for a pass: the Gini of tokens per expert (moe-routing.ts); the pass is costed on the
 * busiest expert-parallel rank. Undefined: uniform routing (training passes).
 */
export interface PassRouting {
  expertGini: number;
}

/** The shape a pass has on one chip once context parallelism splits it. */
function contextSplit(shape: PassShape, c: number): PassShape {
  if (c <= 1) return shape;
  return shape.queries <= MLA_ABSORB_MAX_QUERIES ? { ...shape, context: shape.context / c } : { ...shape, queries: shape.queries / c, logitsTokens: shape.logitsTokens / c };
}

export function forwardPass(m: ModelConfig, shape: PassShape, split: ParallelSplit, prec: PassPrecisions, routing?: PassRouting): Step[] {
  const local = contextSplit(shape, split.context ?? 1);
  const n = local.batch * local.queries;
  return [
    ...embeddingSteps(m, n, prec),
    ...attentionInSteps(m, n, split, prec),
    ...attentionSteps(m, shape, split, prec),
    ...attentionOutSteps(m, n, split, prec),
    ...ffnSteps(m, n, split, prec, routing),
    ...lmHeadSteps(m, local.logitsTokens, split, prec),
  ];
}

/**
 * The steps of a pass whose work follows its token count (everything but attention and the LM
 * head), for `tokens` tokens on the chip: what a serving iteration runs for all the tokens it
 * carries, decode and prefill alike.
 */
export function tokenSteps(m: ModelConfig, tokens: number, split: ParallelSplit, prec: PassPrecisions, routing?: PassRouting): Step[] {
  return [...embeddingSteps(m, tokens, prec), ...attentionInSteps(m, tokens, split, prec), ...attentionOutSteps(m, tokens, split, prec), ...ffnSteps(m, tokens, split, prec, routing)];
}

function mm(name: string, M: number, K: number, N: number, repeat: number, prec: PassPrecisions, extra: Partial<MatmulStep> = {}): MatmulStep {
  return { kind: 'matmul', name, m: M, k: K, n: N, count: 1, a: prec.activations, b: prec.weights, out: prec.activations, weights: true, bFraction: 1, repeat, ...extra };
}

function embeddingSteps(m: ModelConfig, n: number, prec: PassPrecisions): Step[] {
  return [{ kind: 'gather', name: 'embedding', rows: n, rowBytes: m.hiddenSize * bytesPerValue(prec.weights), repeat: 1 }];
}

/** The projections into attention (QKV, or MLA's latent projections). */
function attentionInSteps(m: ModelConfig, n: number, split: ParallelSplit, prec: PassPrecisions): Step[] {
  const h = m.hiddenSize;
  const L = m.layers;
  const heads = m.heads / split.tensor;
  if (m.mla) {
    const a = m.mla;
    const steps: Step[] = [];
    if (a.qLoraRank > 0) {
      steps.push(mm('attn q_a (latent)', n, h, a.qLoraRank, L, prec));
      steps.push(mm('attn q_b', n, a.qLoraRank, heads * (a.qkNopeHeadDim + a.qkRopeHeadDim), L, prec));
    } else {
      steps.push(mm('attn q', n, h, heads * (a.qkNopeHeadDim + a.qkRopeHeadDim), L, prec));
    }
    steps.push(mm('attn kv_a (latent)', n, h, a.kvLoraRank + a.qkRopeHeadDim, L, prec));
    steps.push(mm('attn kv_b', n, a.kvLoraRank, heads * (a.qkNopeHeadDim + a.vHeadDim), L, prec));
    return steps;
  }
  const kvHeads = Math.max(1, m.kvHeads / split.tensor);
  return [mm('attn qkv', n, h, (heads + 2 * kvHeads) * m.headDim, L, prec)];
}

/**
 * Attention itself for `shape` (before any context-parallel split), with the exchange context
 * parallelism adds: with many queries (prefill, training) each chip holds 1/c of the sequence and
 * sees every position's K/V as they pass around a ring; with few (decode) each chip holds 1/c of
 * the KV cache and the partial attention outputs are gathered.
 */
export function attentionSteps(m: ModelConfig, shape: PassShape, split: ParallelSplit, prec: PassPrecisions): Step[] {
  const c = split.context ?? 1;
  const local = contextSplit(shape, c);
  const decodeLike = shape.queries <= MLA_ABSORB_MAX_QUERIES;
  const act = prec.activations;
  const ab = bytesPerValue(act);
  const L = m.layers;
  const heads = m.heads / split.tensor;
  let att: AttentionStep;
  if (m.mla) {
    const a = m.mla;
    const latentBytes = (a.kvLoraRank + a.qkRopeHeadDim) * bytesPerValue(prec.kvCache);
    att = local.queries <= MLA_ABSORB_MAX_QUERIES
      ? { kind: 'attention', name: 'attention (MLA, absorbed)', batch: local.batch, queries: local.queries, context: local.context, heads, kvHeads: 1, qkDim: a.kvLoraRank + a.qkRopeHeadDim, vDim: a.kvLoraRank, kvBytesPerToken: latentBytes, compute: widerOf(act, prec.kvCache), act, repeat: L }
      : { kind: 'attention', name: 'attention (MLA)', batch: local.batch, queries: local.queries, context: local.context, heads, kvHeads: heads, qkDim: a.qkNopeHeadDim + a.qkRopeHeadDim, vDim: a.vHeadDim, kvBytesPerToken: heads * (a.qkNopeHeadDim + a.qkRopeHeadDim + a.vHeadDim) * ab, compute: act, act, repeat: L };
  } else {
    const kvHeads = Math.max(1, m.kvHeads / split.tensor);
    att = {
      kind: 'attention', name: 'attention', batch: local.batch, queries: local.queries, context: local.context, heads, kvHeads,
      qkDim: m.headDim, vDim: m.headDim, kvBytesPerToken: 2 * kvHeads * m.headDim * bytesPerValue(prec.kvCache),
      compute: widerOf(act, prec.kvCache), act, repeat: L,
    };
  }
  if (c <= 1) return [att];
  const n = local.batch * local.queries;
  return [
    att,
    decodeLike
      ? { kind: 'collective', name: 'attention partials all-gather (CP)', op: 'all-gather', group: 'context', groupSize: c, bytes: c * n * att.heads * (att.vDim + 2) * ab, rowBytes: 0, overlap: undefined, repeat: L }
      : { kind: 'collective', name: 'K/V ring (CP)', op: 'all-gather', group: 'context', groupSize: c, bytes: local.batch * shape.queries * att.kvBytesPerToken, rowBytes: 0, overlap: 'compute', repeat: L },
  ];
}

/** The attention output projection, its tensor-parallel all-reduce, and the norms around it. */
function attentionOutSteps(m: ModelConfig, n: number, split: ParallelSplit, prec: PassPrecisions): Step[] {
  const t = split.tensor;
  const h = m.hiddenSize;
  const L = m.layers;
  const ab = bytesPerValue(prec.activations);
  const heads = m.heads / t;
  const steps: Step[] = [mm('attn out', n, heads * (m.mla ? m.mla.vHeadDim : m.headDim), h, L, prec)];
  if (t > 1) steps.push({ kind: 'collective', name: 'attn all-reduce (TP)', op: 'all-reduce', group: 'tensor', groupSize: t, bytes: n * h * reduceBytesPerValue(prec), rowBytes: h * reduceBytesPerValue(prec), overlap: undefined, repeat: L });
  steps.push({ kind: 'elementwise', name: 'norms, residuals, rope', elements: n * h, flopsPerElement: 12, bytesPerElement: 6 * ab, repeat: L });
  return steps;
}

/** The dense FFN layers and the MoE layers (router, routed experts on the busiest rank, shared experts, all-to-all). */
function ffnSteps(m: ModelConfig, n: number, split: ParallelSplit, prec: PassPrecisions, routing?: PassRouting): Step[] {
  const t = split.tensor;
  const e = split.expert;
  const h = m.hiddenSize;
  const ab = bytesPerValue(prec.activations);
  const steps: Step[] = [];
  const moeLayers = moeLayerCount(m);
  const denseLayers = m.layers - moeLayers;
  const up = m.gatedFfn ? 2 : 1;
  if (denseLayers > 0) {
    const ff = m.intermediateSize / t;
    steps.push(mm('ffn up' + (m.gatedFfn ? '+gate' : ''), n, h, up * ff, denseLayers, prec));
    steps.push({ kind: 'elementwise', name: 'ffn activation', elements: n * ff, flopsPerElement: 6, bytesPerElement: (up + 1) * ab, repeat: denseLayers });
    steps.push(mm('ffn down', n, ff, h, denseLayers, prec));
    if (t > 1) steps.push({ kind: 'collective', name: 'ffn all-reduce (TP)', op: 'all-reduce', group: 'tensor', groupSize: t, bytes: n * h * reduceBytesPerValue(prec), rowBytes: h * reduceBytesPerValue(prec), overlap: undefined, repeat: denseLayers });
  }
  if (m.moe && moeLayers > 0) {
    const moe = m.moe;
    const E = moe.experts;
    const k = moe.expertsPerToken;
    steps.push(mm('moe router', n, h, E, moeLayers, prec));
    // Tokens whose routing reaches this chip: its own, and those of the other replicas sharing its experts.
    const sourceTokens = n * Math.max(1, e / t);
    const width = moe.expertIntermediateSize / Math.max(1, t / e);
    // The busiest expert-parallel rank: its share of the token-to-expert assignments, and the experts it runs.
    const rank = busiestRank(E, e, routing?.expertGini ?? 0);
    const assignments = sourceTokens * k * rank.share;
    const touchedHere = touchedExperts(rank, sourceTokens, k);
    const tokensPerExpert = assignments / touchedHere;
    steps.push(mm('moe experts up' + (m.gatedFfn ? '+gate' : ''), tokensPerExpert, h, up * width, moeLayers, prec, { count: touchedHere, expert: true }));
    steps.push({ kind: 'elementwise', name: 'moe activation', elements: assignments * width, flopsPerElement: 6, bytesPerElement: (up + 1) * ab, repeat: moeLayers });
    steps.push(mm('moe experts down', tokensPerExpert, width, h, moeLayers, prec, { count: touchedHere, expert: true }));
    if (moe.sharedExperts > 0) {
      const sw = (moe.sharedExperts * moe.expertIntermediateSize) / t;
      steps.push(mm('moe shared up' + (m.gatedFfn ? '+gate' : ''), n, h, up * sw, moeLayers, prec));
      steps.push(mm('moe shared down', n, sw, h, moeLayers, prec));
    }
    if (e > 1) {
      // The busiest rank receives (and sends back) its share of the assignments: e x share times the mean.
      const bytes = ((n * k * h * ab) / t) * e * rank.share;
      steps.push({ kind: 'collective', name: 'moe dispatch all-to-all (EP)', op: 'all-to-all', group: 'expert', groupSize: e, bytes, rowBytes: 0, overlap: undefined, repeat: moeLayers });
      steps.push({ kind: 'collective', name: 'moe combine all-to-all (EP)', op: 'all-to-all', group: 'expert', groupSize: e, bytes, rowBytes: 0, overlap: undefined, repeat: moeLayers });
    } else if (t > 1) {
      steps.push({ kind: 'collective', name: 'moe all-reduce (TP)', op: 'all-reduce', group: 'tensor', groupSize: t, bytes: n * h * reduceBytesPerValue(prec), rowBytes: h * reduceBytesPerValue(prec), overlap: undefined, repeat: moeLayers });
    }
  }
  return steps;
}

/** The LM head over `logitsTokens` tokens, and the final norm and sampling. */
export function lmHeadSteps(m: ModelConfig, logitsTokens: number, split: ParallelSplit, prec: PassPrecisions): Step[] {
  const h = m.hiddenSize;
  const ab = bytesPerValue(prec.activations);
  return [
    mm('lm head', logitsTokens, h, m.vocabSize / split.tensor, 1, prec),
    { kind: 'elementwise', name: 'final norm, sampling', elements: logitsTokens * (h + m.vocabSize / split.tensor), flopsPerElement: 5, bytesPerElement: 2 * ab, repeat: 1 },
  ];
}

/**
 * Bytes per value of a tensor-parallel all-reduce: bf16 or wider, whatever the activation format.
 * Serving engines all-reduce the bf16/fp16 outputs of fp8 GEMMs (TensorRT-LLM and vLLM custom
 * all-reduce, bf16 in AIConfigurator's comm tables); 2 bytes = bf16.
 */
export function reduceBytesPerValue(prec: PassPrecisions): number {
  return Math.max(bytesPerValue(prec.activations), 2);
}

function widerOf(a: Precision, b: Precision): Precision {
  return bytesPerValue(a) >= bytesPerValue(b) ? a : b;
}

/**
 * The backward pass of a forward pass's steps: each matrix product becomes two of the same shape
 * (input gradient and weight gradient), attention 2.5x its forward work (FlashAttention-2's
 * backward, Dao 2023), elementwise work and tensor-parallel collectives repeat once more.
 * With full recomputation the forward pass runs again first.
 */
export function backwardPass(forward: Step[], recompute: boolean): Step[] {
  const out: Step[] = [];
  if (recompute) for (const s of forward) if (s.kind !== 'gather') out.push(Object.assign({}, s, { name: `recompute: ${s.name}`, part: 'backward' as const }));
  for (const s of forward) {
    switch (s.kind) {
      case 'matmul':
        out.push(Object.assign({}, s, { name: `bwd: ${s.name} (input grad)`, part: 'backward' as const }));
        out.push(Object.assign({}, s, { name: `bwd: ${s.name} (weight grad)`, part: 'backward' as const, weights: false }));
        break;
      case 'attention':
        out.push(Object.assign({}, s, { name: `bwd: ${s.name}`, repeat: s.repeat * 2.5, part: 'backward' as const }));
        break;
      case 'gather':
        break;
      default:
        out.push(Object.assign({}, s, { name: `bwd: ${s.name}`, part: 'backward' as const }));
    }
  }
  return out;
}

