import { readFileSync } from 'node:fs';
import { loadDesign } from '../src/chip/load.js';
import { evaluate, evaluateAtBatch } from '../src/eval/evaluate.js';
import { placeMemory, trainActivationBytesPerTokenPerLayer } from '../src/eval/memory.js';
import { usdPerChipSecond } from '../src/eval/tco.js';
import { checkpointWriteSec } from '../src/eval/training.js';
import { paramCounts } from '../src/workload/model.js';
import { loadWorkload, parseWorkload } from '../src/workload/load.js';

/**
 * Values of cost formulas that a wrong constant breaks (issue 11: these mutants survived). Each
 * expected value is computed here from the formula's source, not from the code under test, so
 * changing a constant in the code fails the test.
 */
const relErr = (a: number, b: number) => Math.abs(a / b - 1);
const SECONDS_PER_YEAR = 365 * 24 * 3600;

describe('cost of ownership and $ per million tokens (src/eval/tco.ts)', () => {
  // Sources: 5-year server depreciation (Microsoft, Alphabet, Meta 10-K filings 2022-2024);
  // $0.08/kWh US industrial electricity 2024 (EIA Electric Power Monthly, table 5.6.A);
  // PUE 1.10, Google fleet trailing-twelve-month 2023 (Google Environmental Report 2024).
  const YEARS = 5;
  const USD_PER_KWH = 0.08;
  const PUE = 1.1;

  test('a chip\'s price spread over five years, and its power times PUE at the industrial tariff', () => {
    expect(relErr(usdPerChipSecond(10_000, 0), 10_000 / (YEARS * SECONDS_PER_YEAR))).toBeLessThan(1e-12);
    // 1 kW at the wall is 1.1 kW with cooling: 1.1 kWh per hour at $0.08.
    expect(relErr(usdPerChipSecond(0, 1000), (1.0 * PUE * USD_PER_KWH) / 3600)).toBeLessThan(1e-12);
  });

  test('$ per million tokens of an evaluation: every chip\'s cost per second over the tokens per second, x 1e6', () => {
    const w = loadWorkload('llama-3-70b-serve');
    const m = evaluate(loadDesign('h100-sxm'), w).metrics;
    const usdPerChipSec = m.costUsd / (YEARS * SECONDS_PER_YEAR) + ((m.powerW / 1000) * PUE * USD_PER_KWH) / 3600;
    const expected = ((usdPerChipSec * w.chips) / m.tokensPerSec) * 1e6;
    expect(m.usdPerMTokens).toBeGreaterThan(0);
    expect(relErr(m.usdPerMTokens, expected)).toBeLessThan(1e-12);
  });
});

describe('a mix of workloads sharing the chips\' time (src/eval/mix.ts)', () => {
  // A mix's weights are shares of the chips' time (workload schema, mix[].weight): rates and power
  // average over time; a latency target must hold for every part, so TTFT is the worst part's.
  const chip = loadDesign('h100-sxm');

  test('serve-train-mix: tokens/s and power time-weighted (0.9 / 0.1), TTFT the serving part\'s', () => {
    const e = evaluate(chip, loadWorkload('serve-train-mix'), { detail: false });
    const [serve, train] = e.components!.map((c) => c.evaluation.metrics);
    expect(e.components!.map((c) => c.weight)).toEqual([0.9, 0.1]);
    expect(serve.ttftSec).toBeGreaterThan(0);
    expect(serve.powerW).not.toBeCloseTo(train.powerW, 0);
    expect(relErr(e.metrics.powerW, 0.9 * serve.powerW + 0.1 * train.powerW)).toBeLessThan(1e-12);
    expect(relErr(e.metrics.tokensPerSec, 0.9 * serve.tokensPerSec + 0.1 * train.tokensPerSec)).toBeLessThan(1e-12);
    expect(e.metrics.ttftSec).toBe(serve.ttftSec);
  });

  test('two serving workloads: TTFT and TPOT are the worse of the two, not an average', () => {
    const mix = parseWorkload({ name: 'two', mix: [{ workload: 'llama-3-8b-serve', weight: 0.3 }, { workload: 'llama-3-70b-serve', weight: 0.7 }] }, 'two.json');
    const e = evaluate(chip, mix, { detail: false });
    const [a, b] = e.components!.map((c) => c.evaluation.metrics);
    expect(a.ttftSec).not.toBe(b.ttftSec);
    expect(e.metrics.ttftSec).toBe(Math.max(a.ttftSec, b.ttftSec));
    expect(e.metrics.tpotSec).toBe(Math.max(a.tpotSec, b.tpotSec));
    expect(relErr(e.metrics.powerW, 0.3 * a.powerW + 0.7 * b.powerW)).toBeLessThan(1e-12);
  });
});

describe('activation memory (src/eval/memory.ts)', () => {
  // Korthikanti et al., "Reducing Activation Recomputation in Large Transformer Models", MLSys 2023,
  // Table 2: with tensor and sequence parallelism over t chips, 34 s b h / t bytes per layer in
  // 16-bit activations (plus 5 a s^2 b / t for the attention scores, which FlashAttention does not
  // keep); with full recomputation only the layer input, 2 s b h / t.
  test('training: 34 h / t bytes per token per layer, 2 h / t with full recomputation, doubled for 32-bit activations', () => {
    expect(trainActivationBytesPerTokenPerLayer(8192, 8, false, 2)).toBe((34 * 8192) / 8);
    expect(trainActivationBytesPerTokenPerLayer(8192, 8, true, 2)).toBe((2 * 8192) / 8);
    expect(trainActivationBytesPerTokenPerLayer(4096, 4, false, 4)).toBe((2 * 34 * 4096) / 4);
  });

  test('training on a chip: micro-batch tokens x layers x per-layer bytes (llama-3-70b, TP8, sequence 8192)', () => {
    const chip = loadDesign('b200');
    const full = loadWorkload('llama-3-70b-train');
    const raw = JSON.parse(readFileSync(new URL('../workloads/llama-3-70b-train.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    const none = parseWorkload({ ...raw, training: { microBatch: 1, recompute: 'none' } }, 'none.json');
    // One micro-batch of one 8192-token sequence in flight (no pipeline), 80 layers, h 8192, t 8, bf16.
    expect(evaluateAtBatch(chip, full, 128, false).memory!.activationBytes).toBe(8192 * 80 * ((2 * 8192) / 8));
    expect(evaluateAtBatch(chip, none, 128, false).memory!.activationBytes).toBe(8192 * 80 * ((34 * 8192) / 8));
  });

  // Serving keeps one layer's live tensors of a full iteration: 4 h (layer input, attention output,
  // residual, norm) + 3 ff / t (the FFN's gate, up and down intermediates) per token, in the
  // activation precision, for the iteration's token budget (engines size activation memory for
  // max_num_tokens at start-up, whatever the load), split over context-parallel chips.
  test('serving: the token budget x (4 h + 3 ff / t) x activation bytes (llama-3-70b, TP8, bf16), at any concurrency', () => {
    const chip = loadDesign('h100-sxm');
    const w = loadWorkload('llama-3-70b-serve');
    const perToken = (4 * 8192 + (3 * 28672) / 8) * 2;
    expect(evaluateAtBatch(chip, w, 1, false).memory!.activationBytes).toBe(8192 * perToken);
    expect(evaluateAtBatch(chip, w, 64, false).memory!.activationBytes).toBe(8192 * perToken);
    const small = parseWorkload({ ...JSON.parse(readFileSync(new URL('../workloads/llama-3-70b-serve.json', import.meta.url), 'utf8')), serving: { tokenBudget: 2048 } }, 'small.json');
    expect(evaluateAtBatch(chip, small, 64, false).memory!.activationBytes).toBe(2048 * perToken);
  });
});

describe('weights resident in SRAM (src/eval/sram.ts, src/eval/memory.ts)', () => {
  // Half the SRAM is the working set of a matrix product; weights that fit in the other half stay on chip.
  test('the threshold is half the SRAM, inclusive', () => {
    const chip = loadDesign('h100-sxm');
    chip.sramBytes = 2 ** 30;
    const at = (weightsBytes: number) => placeMemory(chip, { weightsBytes, kvCacheBytes: 0, activationBytes: 0, gradientBytes: 0, optimizerBytes: 0, drafterBytes: 0 }).weightsInSram;
    expect(at(2 ** 29)).toBe(true);
    expect(at(2 ** 29 + 1)).toBe(false);
    expect(at(2 ** 28)).toBe(true);
    expect(at(0)).toBe(false);
  });

  test('a model whose weights fit in half the SRAM decodes without reading them from HBM', () => {
    const w = parseWorkload({ name: 'small', model: 'llama-3.2-1b', phase: 'decode', batch: 1, inputTokens: 128, outputTokens: 16, precision: { weights: 'bf16', activations: 'bf16', kvCache: 'bf16' } }, 'small.json');
    const weightsBytes = 2 * paramCounts(w.model!).total;
    const chip = loadDesign('h100-sxm');
    chip.sramBytes = 2 * weightsBytes;
    const inSram = evaluate(chip, w, { detail: false });
    chip.sramBytes = 2 * weightsBytes - 2;
    const inHbm = evaluate(chip, w, { detail: false });
    expect(inSram.memory!.weightsBytes).toBe(weightsBytes);
    expect(inSram.memory!.weightsInSram).toBe(true);
    expect(inHbm.memory!.weightsInSram).toBe(false);
    expect(inSram.metrics.tpotSec).toBeLessThan(inHbm.metrics.tpotSec);
  });
});

describe('checkpoint write time (src/eval/training.ts)', () => {
  // A checkpoint is the bf16 weights (2 B/param) and Adam's fp32 master weights and two moments
  // (3 x 4 B/param): 14 of the 16 B/param of mixed-precision Adam (Rajbhandari et al., ZeRO, SC 2020,
  // sec. 3.1; gradients are not saved). Each chip writes 1/data of its replica's share over its
  // scale-out link (H100: 50 GB/s per GPU, designs/h100-sxm.json).
  const chip = loadDesign('h100-sxm');
  const w = loadWorkload('llama-3-70b-train');
  // Llama 3 70B over tensor 8, pipeline 1, data 8: a dense model's parameters split 8 ways.
  const paramsPerChip = paramCounts(w.model!).total / 8;
  const expectedSec = (paramsPerChip * (2 + 3 * 4)) / 8 / 50e9;

  test('a chip\'s parameters x 14 B / data replicas / scale-out bandwidth', () => {
    expect(relErr(checkpointWriteSec(chip, w, paramsPerChip), expectedSec)).toBeLessThan(1e-12);
  });

  test('it sets the Young/Daly checkpoint interval of the evaluation: max(d, sqrt(2 d M) - d)', () => {
    // Young, CACM 1974; Daly, FGCS 22(3) 2006 (first order), M the mean time between interruptions.
    const m = evaluate(chip, w, { detail: false }).metrics;
    const M = m.interruptionIntervalHours * 3600;
    const tau = Math.max(expectedSec, Math.sqrt(2 * expectedSec * M) - expectedSec);
    expect(m.checkpointIntervalSec).toBeGreaterThan(0);
    expect(relErr(m.checkpointIntervalSec, tau)).toBeLessThan(1e-9);
  });
});
