import { median, quantile } from 'simple-statistics';
import { calibrate } from '../src/calibrate/calibrate.js';
import { readServingRows } from '../src/calibrate/serving-rows.js';
import { calibrateServing, servingRowWorkload } from '../src/calibrate/serving-calibrate.js';

/**
 * The model against published measurements (sources per point in src/calibrate/points.ts):
 * LLMCompass A100 GEMMs and GPT-3 layers, measured H100/H200 GEMM and copy rates, PaLM 540B and
 * MaxText 32B MFU on TPUs, Llama 3 405B TFLOP/s per H100.
 */
describe('calibration', () => {
  const s = calibrate();
  const row = (id: string) => s.rows.find((r) => r.id === id)!;

  test('median absolute error over all points is at most 10%', () => {
    expect(s.all.medianAbsError).toBeLessThanOrEqual(0.1);
  });

  test('held-out points (no factor read from them) have a median absolute error at most 10.5%', () => {
    expect(s.heldOut.count).toBeGreaterThanOrEqual(8);
    expect(s.heldOut.medianAbsError).toBeLessThanOrEqual(0.105);
  });

  test('golden: H100 bf16 GEMM 8192^3 at 798 TFLOP/s (measured, shared/reference/chips.md), within 2%', () => {
    expect(Math.abs(row('h100-gemm-8192^3').error)).toBeLessThan(0.02);
  });

  test('golden: A100 fp16 GEMM 8192^3 in 3.96 ms (LLMCompass artifact), within 5%', () => {
    expect(Math.abs(row('a100-gemm-8192^3').error)).toBeLessThan(0.05);
  });

  test('golden: MaxText 32B on 256 TPU v5e at 66.86% MFU (maxtext v5e README), within 10%', () => {
    expect(Math.abs(row('maxtext-32b-v5e-256').error)).toBeLessThan(0.1);
  });

  test('golden: Llama 3 405B on 8192 H100 at 430 TFLOP/s per GPU (Llama 3 paper, Table 4), within 10%', () => {
    expect(Math.abs(row('llama3-405b-8192-h100').error)).toBeLessThan(0.1);
  });
});

describe('serving calibration (measured TTFT and TPOT, data/serving-measured.csv)', () => {
  const c = calibrateServing();

  test('every row is predicted or skipped with its reason; skipped only for a missing design or precision', () => {
    expect(c.rows.length + c.skipped.length).toBe(readServingRows().length);
    expect(c.rows.length).toBeGreaterThan(800);
    for (const s of c.skipped) expect(s.reason).toMatch(/no design preset|not a precision this build has|cannot express/);
    for (const r of c.rows) {
      expect(r.predictedTtftMs).toBeGreaterThan(0);
      expect(r.predictedTpotMs).toBeGreaterThan(0);
      expect(r.tpotError).toBeCloseTo((r.predictedTpotMs - r.row.tpotMs) / r.row.tpotMs, 12);
    }
  });

  test('the summary is the rows\u2019 own statistics, per system and backend and over all', () => {
    const h100 = c.rows.filter((r) => r.row.system === 'h100_sxm' && r.row.backend === 'trtllm');
    const g = c.bySystemBackend.find((x) => x.system === 'h100_sxm' && x.backend === 'trtllm')!;
    expect(g.stats.count).toBe(h100.length);
    expect(g.stats.tpotMedianAbs).toBeCloseTo(median(h100.map((r) => Math.abs(r.tpotError))), 12);
    expect(c.all.ttftP90Abs).toBeCloseTo(quantile(c.rows.map((r) => Math.abs(r.ttftError)), 0.9), 12);
    expect(c.misses).toBe(c.rows.filter((r) => Math.abs(r.ttftError) > 0.5 || Math.abs(r.tpotError) > 0.5).length);
  });

  test('a row becomes its workload: model preset, lengths, concurrency, parallelism, precision labels', () => {
    const r = readServingRows().find((x) => x.system === 'h200_sxm' && x.backend === 'trtllm' && x.gemmQuantMode === 'fp8')!;
    const w = servingRowWorkload(r);
    expect(w.model!.name).toBe('llama-3.1-70b');
    expect([w.inputTokens, w.outputTokens, w.batch, w.parallelism.tensor]).toEqual([r.isl, r.osl, r.batchSize, r.tp]);
    expect(w.precision.weights.format).toBe('fp8_e4m3');
    expect(w.serving.kvCache).toBe('reserved');
    expect(w.serving.requestsPerClient).toBe(10);
  });

  // Regression guard at today's figures (issue 13 asks for TPOT <= 15% and TTFT <= 25%, median over the
  // dense rows; the README's calibration section gives today's figures and what is missing).
  test('median |error| over the rows: TTFT and TPOT no worse than 40%', () => {
    expect(c.all.ttftMedianAbs).toBeLessThanOrEqual(0.4);
    expect(c.all.tpotMedianAbs).toBeLessThanOrEqual(0.4);
  });
});
