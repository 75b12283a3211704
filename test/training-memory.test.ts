import { trainActivationBytesPerTokenPerLayer } from '../src/eval/memory.js';
import { resolveModel } from '../src/workload/model.js';
import { loadDesign } from '../src/chip/load.js';
import { evaluate } from '../src/eval/evaluate.js';
import { parseWorkload } from '../src/workload/load.js';

/**
 * Activation memory kept for the backward pass (Korthikanti et al., MLSys 2023, sec. 4.1, itemized
 * per tensor; src/eval/memory.ts), and the Llama 3 405B training point it decides.
 */
describe('training activation memory', () => {
  test('GPT-3 175B shapes keep 32 h bytes per token per layer without recomputation: the paper\'s 34 h less its two dropout masks', () => {
    const gpt3 = resolveModel('gpt-3-175b', 't');
    expect(trainActivationBytesPerTokenPerLayer(gpt3, 1, false, 2) / gpt3.hiddenSize).toBeCloseTo(32, 9);
    // Sequence parallelism splits all of it over the tensor group; full recomputation keeps the layer input only.
    expect(trainActivationBytesPerTokenPerLayer(gpt3, 8, false, 2) / gpt3.hiddenSize).toBeCloseTo(4, 9);
    expect(trainActivationBytesPerTokenPerLayer(gpt3, 8, true, 2) / gpt3.hiddenSize).toBeCloseTo(2 / 8, 9);
  });

  test('Llama 3 405B (SwiGLU 3.25 h, 8 KV heads of 128) keeps 31.75 h', () => {
    const m = resolveModel('llama-3-405b', 't');
    expect(m.intermediateSize / m.hiddenSize).toBe(3.25);
    expect(trainActivationBytesPerTokenPerLayer(m, 1, false, 2) / m.hiddenSize).toBeCloseTo(31.75, 9);
  });

  test('Llama 3 405B on 8,192 H100 as Meta trained it (TP8 PP16 DP64, FSDP, no activation checkpointing, Llama 3 paper sec. 3.3.2) fits in 80 GB', () => {
    const w = { model: 'llama-3-405b', phase: 'train', batch: 2048, inputTokens: 8192, chips: 8192, parallelism: { tensor: 8, pipeline: 16, data: 64 }, training: { microBatch: 1, recompute: 'none', sharding: 'full' } };
    const e = evaluate(loadDesign('h100-sxm'), parseWorkload(w, 'w'));
    expect(e.reasons).toEqual([]);
    expect(e.metrics.memoryBytesPerChip).toBeLessThan(80e9);
    // With only the optimizer state sharded (ZeRO-1), bf16 gradients of the chip's 3.2 B parameters do not fit beside the activations.
    const zero1 = evaluate(loadDesign('h100-sxm'), parseWorkload({ ...w, training: { ...w.training, sharding: 'optimizer' } }, 'w'));
    expect(zero1.feasible).toBe(false);
  });
});
