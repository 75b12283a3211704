import { bytesPerValue, type Precision } from '../precision/formats.js';
import { moeLayerCount, type ModelConfig } from './model.js';
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

export function forwardPass(m: ModelConfig, shape: PassShape, split: ParallelSplit, prec: PassPrecisions): Step[] {
  const t = split.tensor;
  const e = split.expert;
  const c = split.context ?? 1;
  const h = m.hiddenSize;
  // Context parallelism: with many queries (prefill, training) each chip holds 1/c of the sequence
  // and sees every position's K/V as they pass around a ring; with few (decode) each chip holds
  // 1/c of the KV cache and the partial attention outputs are gathered.
  const decodeLike = shape.queries <= MLA_ABSORB_MAX_QUERIES;
  const fullQueries = shape.queries;
  shape = c > 1 ? (decodeLike ? { ...shape, context: shape.context / c } : { ...shape, queries: shape.queries / c, logitsTokens: shape.logitsTokens / c }) : shape;
  const n = shape.batch * shape.queries;
  const act = prec.activations;
  const w = prec.weights;
  const ab = bytesPerValue(act);
  // Tensor-parallel partial sums are reduced in bf16 or wider, whatever the activation format: serving
  // engines all-reduce bf16/fp16 outputs of fp8 GEMMs (TensorRT-LLM and vLLM custom all-reduce, bf16 in
  // AIConfigurator's comm tables). 2 bytes = bf16.
  const reduceBytes = Math.max(ab, 2);
  const steps: Step[] = [];
  const L = m.layers;
  const moeLayers = moeLayerCount(m);
  const denseLayers = L - moeLayers;
  const mm = (name: string, M: number, K: number, N: number, repeat: number, extra: Partial<MatmulStep> = {}): MatmulStep => ({
    kind: 'matmul', name, m: M, k: K, n: N, count: 1, a: act, b: w, out: act, weights: true, bFraction: 1, repeat, ...extra,
  });

  steps.push({ kind: 'gather', name: 'embedding', rows: n, rowBytes: h * bytesPerValue(w), repeat: 1 });

  const heads = m.heads / t;
  if (m.mla) {
    const a = m.mla;
    const absorbed = shape.queries <= MLA_ABSORB_MAX_QUERIES;
    if (a.qLoraRank > 0) {
      steps.push(mm('attn q_a (latent)', n, h, a.qLoraRank, L));
      steps.push(mm('attn q_b', n, a.qLoraRank, heads * (a.qkNopeHeadDim + a.qkRopeHeadDim), L));
    } else {
      steps.push(mm('attn q', n, h, heads * (a.qkNopeHeadDim + a.qkRopeHeadDim), L));
    }
    steps.push(mm('attn kv_a (latent)', n, h, a.kvLoraRank + a.qkRopeHeadDim, L));
    steps.push(mm('attn kv_b', n, a.kvLoraRank, heads * (a.qkNopeHeadDim + a.vHeadDim), L));
    const latentBytes = (a.kvLoraRank + a.qkRopeHeadDim) * bytesPerValue(prec.kvCache);
    const att: AttentionStep = absorbed
      ? { kind: 'attention', name: 'attention (MLA, absorbed)', batch: shape.batch, queries: shape.queries, context: shape.context, heads, kvHeads: 1, qkDim: a.kvLoraRank + a.qkRopeHeadDim, vDim: a.kvLoraRank, kvBytesPerToken: latentBytes, compute: widerOf(act, prec.kvCache), act, repeat: L }
      : { kind: 'attention', name: 'attention (MLA)', batch: shape.batch, queries: shape.queries, context: shape.context, heads, kvHeads: heads, qkDim: a.qkNopeHeadDim + a.qkRopeHeadDim, vDim: a.vHeadDim, kvBytesPerToken: heads * (a.qkNopeHeadDim + a.qkRopeHeadDim + a.vHeadDim) * ab, compute: act, act, repeat: L };
    steps.push(att);
    steps.push(mm('attn out', n, heads * a.vHeadDim, h, L));
  } else {
    const kvHeads = Math.max(1, m.kvHeads / t);
    steps.push(mm('attn qkv', n, h, (heads + 2 * kvHeads) * m.headDim, L));
    steps.push({
      kind: 'attention', name: 'attention', batch: shape.batch, queries: shape.queries, context: shape.context, heads, kvHeads,
      qkDim: m.headDim, vDim: m.headDim, kvBytesPerToken: 2 * kvHeads * m.headDim * bytesPerValue(prec.kvCache),
      compute: widerOf(act, prec.kvCache), act, repeat: L,
    });
    steps.push(mm('attn out', n, heads * m.headDim, h, L));
  }
  if (c > 1) {
    const att = steps.find((s): s is AttentionStep => s.kind === 'attention')!;
    steps.push(
      decodeLike
        ? { kind: 'collective', name: 'attention partials all-gather (CP)', op: 'all-gather', group: 'context', groupSize: c, bytes: c * n * att.heads * (att.vDim + 2) * ab, overlap: undefined, repeat: L }
        : { kind: 'collective', name: 'K/V ring (CP)', op: 'all-gather', group: 'context', groupSize: c, bytes: shape.batch * fullQueries * att.kvBytesPerToken, overlap: 'compute', repeat: L },
    );
  }
  if (t > 1) steps.push({ kind: 'collective', name: 'attn all-reduce (TP)', op: 'all-reduce', group: 'tensor', groupSize: t, bytes: n * h * reduceBytes, overlap: undefined, repeat: L });
  steps.push({ kind: 'elementwise', name: 'norms, residuals, rope', elements: n * h, flopsPerElement: 12, bytesPerElement: 6 * ab, repeat: L });

  const up = m.gatedFfn ? 2 : 1;
  if (denseLayers > 0) {
    const ff = m.intermediateSize / t;
    steps.push(mm('ffn up' + (m.gatedFfn ? '+gate' : ''), n, h, up * ff, denseLayers));
    steps.push({ kind: 'elementwise', name: 'ffn activation', elements: n * ff, flopsPerElement: 6, bytesPerElement: (up + 1) * ab, repeat: denseLayers });
    steps.push(mm('ffn down', n, ff, h, denseLayers));
    if (t > 1) steps.push({ kind: 'collective', name: 'ffn all-reduce (TP)', op: 'all-reduce', group: 'tensor', groupSize: t, bytes: n * h * reduceBytes, overlap: undefined, repeat: denseLayers });
  }
  if (m.moe && moeLayers > 0) {
    const moe = m.moe;
    const E = moe.experts;
    const k = moe.expertsPerToken;
    steps.push(mm('moe router', n, h, E, moeLayers));
    // Tokens whose routing reaches this chip: its own, and those of the other replicas sharing its experts.
    const sourceTokens = n * Math.max(1, e / t);
    const expertsHere = E / e;
    const width = moe.expertIntermediateSize / Math.max(1, t / e);
    // Expected share of experts a batch touches: 1 - (1 - k/E)^tokens (uniform routing).
    const touched = 1 - (1 - k / E) ** sourceTokens;
    const touchedHere = expertsHere * touched;
    const tokensPerExpert = (sourceTokens * k) / E / touched;
    steps.push(mm('moe experts up' + (m.gatedFfn ? '+gate' : ''), tokensPerExpert, h, up * width, moeLayers, { count: touchedHere, expert: true }));
    steps.push({ kind: 'elementwise', name: 'moe activation', elements: touchedHere * tokensPerExpert * width, flopsPerElement: 6, bytesPerElement: (up + 1) * ab, repeat: moeLayers });
    steps.push(mm('moe experts down', tokensPerExpert, width, h, moeLayers, { count: touchedHere, expert: true }));
    if (moe.sharedExperts > 0) {
      const sw = (moe.sharedExperts * moe.expertIntermediateSize) / t;
      steps.push(mm('moe shared up' + (m.gatedFfn ? '+gate' : ''), n, h, up * sw, moeLayers));
      steps.push(mm('moe shared down', n, sw, h, moeLayers));
    }
    if (e > 1) {
      const bytes = (n * k * h * ab) / t;
      steps.push({ kind: 'collective', name: 'moe dispatch all-to-all (EP)', op: 'all-to-all', group: 'expert', groupSize: e, bytes, overlap: undefined, repeat: moeLayers });
      steps.push({ kind: 'collective', name: 'moe combine all-to-all (EP)', op: 'all-to-all', group: 'expert', groupSize: e, bytes, overlap: undefined, repeat: moeLayers });
    } else if (t > 1) {
      steps.push({ kind: 'collective', name: 'moe all-reduce (TP)', op: 'all-reduce', group: 'tensor', groupSize: t, bytes: n * h * reduceBytes, overlap: undefined, repeat: moeLayers });
    }
  }
  steps.push(mm('lm head', shape.logitsTokens, h, m.vocabSize / t, 1));
  steps.push({ kind: 'elementwise', name: 'final norm, sampling', elements: shape.logitsTokens * (h + m.vocabSize / t), flopsPerElement: 5, bytesPerElement: 2 * ab, repeat: 1 });
  return steps;
}

function widerOf(a: Precision, b: Precision): Precision {
  return bytesPerValue(a) >= bytesPerValue(b) ? a : b;
}

/**
 * The backward pass of a forward trace: each matrix product becomes two of the same shape
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

