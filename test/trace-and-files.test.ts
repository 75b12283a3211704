import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDesign } from '../src/chip/load.js';
import { loadWorkload } from '../src/workload/load.js';
import { evaluate } from '../src/eval/evaluate.js';
import { jsonSchemas } from '../src/scripts/json-schemas.js';

describe('workloads from trace files and Hugging Face configs', () => {
  test('a trace file runs as given: the 8192^3 GEMM trace takes 2 x 8192^3 / (peak x efficiency) on an H100', () => {
    const chip = loadDesign('h100-sxm');
    const e = evaluate(chip, loadWorkload('gemm-trace'));
    expect(e.feasible).toBe(true);
    const expected = (8192 ** 3) / (chip.peakMacsPerSec.bf16! * chip.efficiency.matrix);
    // The power limit may stretch it by a little (the H100 GEMM sits at its 700 W TDP).
    expect(e.metrics.latencySec / expected).toBeGreaterThanOrEqual(1 - 1e-9);
    expect(e.metrics.latencySec / expected).toBeLessThan(1.01);
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
