import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ChipdseError } from '../errors.js';
import { isDeepFrozen } from '../io/freeze.js';
import { validate, listPresetNames, inField } from '../io/load.js';
import { readLocated, type PresetFolder } from '../io/resolve.js';
import { positiveInt } from '../io/schema-helpers.js';

/**
 * A transformer described by Hugging Face `config.json` field names. Unknown fields are
 * allowed (real configs carry dozens); the ones the model needs are checked, and the GPT-2
 * style aliases (`n_embd`, `n_layer`, `n_head`, `n_inner`) are accepted.
 */
export const MODELS_DIR = fileURLToPath(new URL('../../workloads/models/', import.meta.url));
export const MODEL_PRESETS: PresetFolder = { what: 'model', dir: MODELS_DIR, label: 'workloads/models' };

const count = (max: number) => positiveInt(max).optional();

export const hfConfigSchema = z
  .looseObject({
    model_type: z.string().optional(),
    hidden_act: z.string().optional(),
    hidden_size: count(1e6),
    n_embd: count(1e6),
    num_hidden_layers: count(1e4),
    n_layer: count(1e4),
    num_attention_heads: count(1e5),
    n_head: count(1e5),
    num_key_value_heads: count(1e5),
    head_dim: count(1e5),
    intermediate_size: count(1e7),
    n_inner: count(1e7),
    vocab_size: count(1e8),
    tie_word_embeddings: z.boolean().optional(),
    num_local_experts: count(1e5),
    n_routed_experts: count(1e5),
    num_experts: count(1e5),
    num_experts_per_tok: count(1e4),
    moe_intermediate_size: count(1e7),
    n_shared_experts: z.number().int().min(0).max(1e3).optional(),
    first_k_dense_replace: z.number().int().min(0).max(1e4).optional(),
    q_lora_rank: z.number().int().min(0).max(1e6).nullable().optional(),
    kv_lora_rank: count(1e6),
    qk_rope_head_dim: count(1e5),
    qk_nope_head_dim: count(1e5),
    v_head_dim: count(1e5),
  })
  .meta({ description: 'Hugging Face config.json fields' });

export type HfConfig = z.output<typeof hfConfigSchema>;

export interface MoeConfig {
  experts: number;
  expertsPerToken: number;
  expertIntermediateSize: number;
  sharedExperts: number;
  /** Leading layers that keep a dense FFN (DeepSeek's first_k_dense_replace). */
  denseLayers: number;
}

/** Multi-head latent attention (DeepSeek-V2/V3): the KV cache holds one latent vector per token. */
export interface MlaConfig {
  qLoraRank: number;
  kvLoraRank: number;
  qkRopeHeadDim: number;
  qkNopeHeadDim: number;
  vHeadDim: number;
}

export interface ModelConfig {
  name: string;
  hiddenSize: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  intermediateSize: number;
  vocabSize: number;
  /** SwiGLU-style FFN with gate, up and down matrices (Llama, Mixtral, DeepSeek) versus up and down (GPT-3). */
  gatedFfn: boolean;
  tiedEmbeddings: boolean;
  moe: MoeConfig | undefined;
  mla: MlaConfig | undefined;
}

const GATED_ACTS = new Set(['silu', 'swiglu', 'swish', 'geglu']);

export function modelFromHf(name: string, c: HfConfig, file: string): ModelConfig {
  const need = (v: number | undefined, key: string): number => {
    if (v === undefined) throw new ChipdseError(`${file}: ${key}: required field is missing`);
    return v;
  };
  const hiddenSize = need(c.hidden_size ?? c.n_embd, 'hidden_size');
  const heads = need(c.num_attention_heads ?? c.n_head, 'num_attention_heads');
  const kvHeads = c.num_key_value_heads ?? heads;
  if (heads % kvHeads !== 0) throw new ChipdseError(`${file}: num_key_value_heads: ${kvHeads} must divide num_attention_heads ${heads}`);
  const experts = c.num_local_experts ?? c.n_routed_experts ?? c.num_experts;
  const intermediate = c.intermediate_size ?? c.n_inner ?? 4 * hiddenSize;
  let moe: MoeConfig | undefined;
  if (experts !== undefined && experts > 1) {
    const k = need(c.num_experts_per_tok, 'num_experts_per_tok');
    if (k > experts) throw new ChipdseError(`${file}: num_experts_per_tok: ${k} exceeds the ${experts} experts`);
    moe = {
      experts,
      expertsPerToken: k,
      expertIntermediateSize: c.moe_intermediate_size ?? intermediate,
      sharedExperts: c.n_shared_experts ?? 0,
      denseLayers: c.first_k_dense_replace ?? 0,
    };
  }
  const mla: MlaConfig | undefined = c.kv_lora_rank
    ? {
        qLoraRank: c.q_lora_rank ?? 0,
        kvLoraRank: c.kv_lora_rank,
        qkRopeHeadDim: need(c.qk_rope_head_dim, 'qk_rope_head_dim'),
        qkNopeHeadDim: need(c.qk_nope_head_dim, 'qk_nope_head_dim'),
        vHeadDim: need(c.v_head_dim, 'v_head_dim'),
      }
    : undefined;
  const act = (c.hidden_act ?? 'silu').toLowerCase();
  return {
    name,
    hiddenSize,
    layers: need(c.num_hidden_layers ?? c.n_layer, 'num_hidden_layers'),
    heads,
    kvHeads,
    headDim: c.head_dim ?? hiddenSize / heads,
    intermediateSize: intermediate,
    vocabSize: need(c.vocab_size, 'vocab_size'),
    gatedFfn: GATED_ACTS.has(act),
    tiedEmbeddings: c.tie_word_embeddings ?? false,
    moe,
    mla,
  };
}

export function listModelPresets(): string[] {
  return listPresetNames(MODELS_DIR);
}

/**
 * A model given as a preset name, a path to a config.json (relative to `fromDir`, the folder of
 * the workload file that names it), or an inline object of HF fields.
 */
export function resolveModel(ref: unknown, file: string, fieldPath = 'model', fromDir?: string): ModelConfig {
  if (typeof ref === 'string') {
    const { located, data } = inField(file, fieldPath, () => readLocated(ref, MODEL_PRESETS, fromDir));
    return modelFromHf(ref, validate(hfConfigSchema, data, located.label), located.label);
  }
  if (typeof ref === 'object' && ref !== null && !Array.isArray(ref)) {
    const name = typeof (ref as { name?: unknown }).name === 'string' ? String((ref as { name: string }).name) : 'inline';
    return modelFromHf(name, validate(hfConfigSchema, ref, `${file}: ${fieldPath}`), `${file}: ${fieldPath}`);
  }
  throw new ChipdseError(`${file}: ${fieldPath}: expected a preset name, a path to a config.json, or an object of Hugging Face config fields`);
}

/** Parameter counts, by part; norms and biases are left out (under 0.1% of any model here). */
export interface ParamCounts {
  embedding: number;
  lmHead: number;
  attentionPerLayer: number;
  denseFfnPerLayer: number;
  /** Per MoE layer: all routed experts, the shared experts and the router. */
  moeRoutedPerLayer: number;
  moeSharedPerLayer: number;
  routerPerLayer: number;
  total: number;
  /** Parameters a token touches in a forward pass. */
  activePerToken: number;
}

export function ffnMatrices(m: ModelConfig): number {
  return m.gatedFfn ? 3 : 2;
}

export function attentionParams(m: ModelConfig): number {
  const h = m.hiddenSize;
  if (m.mla) {
    const a = m.mla;
    const qDim = m.heads * (a.qkNopeHeadDim + a.qkRopeHeadDim);
    const q = a.qLoraRank > 0 ? h * a.qLoraRank + a.qLoraRank * qDim : h * qDim;
    const kvA = h * (a.kvLoraRank + a.qkRopeHeadDim);
    const kvB = a.kvLoraRank * m.heads * (a.qkNopeHeadDim + a.vHeadDim);
    const o = m.heads * a.vHeadDim * h;
    return q + kvA + kvB + o;
  }
  return h * m.heads * m.headDim * 2 + h * m.kvHeads * m.headDim * 2;
}

export function moeLayerCount(m: ModelConfig): number {
  return m.moe ? m.layers - m.moe.denseLayers : 0;
}

const PARAM_COUNTS = new WeakMap<ModelConfig, ParamCounts>();

/** Parameter counts of a model: computed once per model object when it is frozen (a loaded workload's), else every time. */
export function paramCounts(m: ModelConfig): ParamCounts {
  let c = PARAM_COUNTS.get(m);
  if (!c) {
    c = computeParamCounts(m);
    if (isDeepFrozen(m)) PARAM_COUNTS.set(m, c);
  }
  return c;
}

function computeParamCounts(m: ModelConfig): ParamCounts {
  const h = m.hiddenSize;
  const embedding = m.vocabSize * h;
  const lmHead = m.tiedEmbeddings ? 0 : m.vocabSize * h;
  const attentionPerLayer = attentionParams(m);
  const denseFfnPerLayer = ffnMatrices(m) * h * m.intermediateSize;
  const moeLayers = moeLayerCount(m);
  const denseLayers = m.layers - moeLayers;
  let moeRoutedPerLayer = 0;
  let moeSharedPerLayer = 0;
  let routerPerLayer = 0;
  let activeMoe = 0;
  if (m.moe) {
    const expert = ffnMatrices(m) * h * m.moe.expertIntermediateSize;
    moeRoutedPerLayer = m.moe.experts * expert;
    moeSharedPerLayer = m.moe.sharedExperts * expert;
    routerPerLayer = h * m.moe.experts;
    activeMoe = (m.moe.expertsPerToken + m.moe.sharedExperts) * expert + routerPerLayer;
  }
  const total =
    embedding + lmHead + m.layers * attentionPerLayer + denseLayers * denseFfnPerLayer + moeLayers * (moeRoutedPerLayer + moeSharedPerLayer + routerPerLayer);
  const activePerToken = (m.tiedEmbeddings ? embedding : lmHead) + m.layers * attentionPerLayer + denseLayers * denseFfnPerLayer + moeLayers * activeMoe;
  return { embedding, lmHead, attentionPerLayer, denseFfnPerLayer, moeRoutedPerLayer, moeSharedPerLayer, routerPerLayer, total, activePerToken };
}

/** KV-cache values stored per token per layer for the whole model (before tensor-parallel split). */
export function kvValuesPerTokenPerLayer(m: ModelConfig): number {
  if (m.mla) return m.mla.kvLoraRank + m.mla.qkRopeHeadDim;
  return 2 * m.kvHeads * m.headDim;
}
