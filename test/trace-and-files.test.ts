import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDesign } from '../src/chip/load.js';
import { loadWorkload } from '../src/workload/load.js';
import { evaluate } from '../src/eval/evaluate.js';
import { stepCost } from '../src/eval/step-cost.js';
import { defaultPrecision } from '../src/precision/formats.js';
import type { Step } from '../src/workload/step.js';
import { jsonSchemas } from '../src/scripts/json-schemas.js';

describe('workloads from trace files and Hugging Face configs', () => {
  test('a trace file runs as given: the 8192^3 GEMM trace costs what the step model gives that product on an H100, near the measured 798 TFLOP/s', () => {
    const chip = loadDesign('h100-sxm');
    const e = evaluate(chip, loadWorkload('gemm-trace'));
    expect(e.feasible).toBe(true);
    const bf16 = defaultPrecision('bf16');
    const gemm: Step = { kind: 'matmul', name: 'gemm', m: 8192, k: 8192, n: 8192, count: 1, a: bf16, b: bf16, out: bf16, weights: true, bFraction: 1, repeat: 1 };
    const expected = stepCost(chip, gemm, { weightsInSram: false, expertsInDramFraction: 0, denseInDramFraction: 0, innerChips: {} }).timeSec;
    expect(e.metrics.latencySec / expected).toBeCloseTo(1, 6);
    // At least the bf16 peak's time; within 5% of the measured 798 TFLOP/s (shared/reference/chips.md).
    expect(e.metrics.latencySec).toBeGreaterThan((2 * 8192 ** 3) / (2 * chip.peakMacsPerSec.bf16!));
    expect(Math.abs((2 * 8192 ** 3) / e.metrics.latencySec / 798e12 - 1)).toBeLessThan(0.05);
    expect(e.metrics.tokensPerSec).toBeCloseTo(8192 / e.metrics.latencySec, 6);
  });

  test('a path to a Hugging Face config.json is read with its own field names', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chipdse-'));
    try {
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ architectures: ['LlamaForCausalLM'], hidden_size: 4096, num_hidden_layers: 32, num_attention_heads: 32, num_key_value_heads: 8, intermediate_size: 14336, vocab_size: 128256, hidden_act: 'silu', rope_theta: 500000 }));
      writeFileSync(join(dir, 'w.json'), JSON.stringify({ model: './config.json', phase: 'decode', batch: 1, inputTokens: 4096, outputTokens: 128, chips: 1 }));
      const fromFile = evaluate(loadDesign('h100-sxm'), loadWorkload(join(dir, 'w.json')));
      const fromPreset = evaluate(loadDesign('h100-sxm'), loadWorkload('llama-3-8b-decode'));
      expect(fromFile.metrics.tpotSec).toBeCloseTo(fromPreset.metrics.tpotSec, 12);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('generated JSON Schemas', () => {
  test('the committed schema files are what the zod definitions generate (run npm run build to refresh)', () => {
    for (const [file, schema] of Object.entries(jsonSchemas())) {
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(schema);
    }
  });

  test('the design schema rejects unknown keys for editors too', () => {
    const design = Object.entries(jsonSchemas()).find(([f]) => f.endsWith('design.schema.json'))![1] as { additionalProperties?: boolean };
    expect(design.additionalProperties).toBe(false);
  });
});
