import { resolveModel, paramCounts, kvValuesPerTokenPerLayer } from '../src/workload/model.js';

/**
 * Parameter counts of the model presets against their published sizes (model cards and papers
 * named in workloads/models/*.json). Tolerance 1.5%: norms and biases are not counted.
 */
const PUBLISHED: [string, number, number | undefined][] = [
  ['llama-3-8b', 8.03e9, undefined],
  ['llama-3-70b', 70.6e9, undefined],
  ['llama-2-70b', 69.0e9, undefined],
  ['llama-3-405b', 405.9e9, undefined],
  ['gpt-3-175b', 175e9, undefined],
  ['mixtral-8x7b', 46.7e9, 12.9e9],
  ['deepseek-v3', 671e9, 37e9],
  // The models of the measured serving rows (their Hugging Face model cards: 8.03B, 70.6B; Qwen3-32B 32.8B).
  ['llama-3.1-8b', 8.03e9, undefined],
  ['llama-3.1-70b', 70.6e9, undefined],
  ['qwen3-32b', 32.8e9, undefined],
];

describe('model presets', () => {
  test.each(PUBLISHED)('%s has its published parameter count', (name, total, active) => {
    const c = paramCounts(resolveModel(name, 'test'));
    expect(Math.abs(c.total / total - 1)).toBeLessThan(0.015);
    if (active !== undefined) expect(Math.abs(c.activePerToken / active - 1)).toBeLessThan(0.03);
    if (active === undefined) expect(c.activePerToken).toBeLessThanOrEqual(c.total);
  });

  test('KV cache per token: 320 KiB for Llama 3 70B in bf16, ~69 KiB for DeepSeek-V3 MLA', () => {
    const llama = resolveModel('llama-3-70b', 'test');
    expect(kvValuesPerTokenPerLayer(llama) * 2 * llama.layers).toBe(327680);
    const ds = resolveModel('deepseek-v3', 'test');
    expect(kvValuesPerTokenPerLayer(ds) * 2 * ds.layers).toBe((512 + 64) * 2 * 61);
  });

  test('an inline Hugging Face config with GPT-2 style names is understood', () => {
    const m = resolveModel({ n_embd: 768, n_layer: 12, n_head: 12, vocab_size: 50257, hidden_act: 'gelu_new' }, 'inline.json');
    expect(m.hiddenSize).toBe(768);
    expect(m.intermediateSize).toBe(3072);
    expect(m.gatedFfn).toBe(false);
    // GPT-2 small: 124M with tied embeddings (here untied unless stated: 124M + 38.6M).
    expect(paramCounts({ ...m, tiedEmbeddings: true }).total).toBeGreaterThan(120e6);
    expect(paramCounts({ ...m, tiedEmbeddings: true }).total).toBeLessThan(126e6);
  });

  test('missing required fields are reported with the field name', () => {
    expect(() => resolveModel({ hidden_size: 1024 }, 'm.json')).toThrow(/m\.json: model: num_attention_heads: required/);
  });
});
