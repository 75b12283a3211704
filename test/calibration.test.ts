import { median, quantile } from 'simple-statistics';
import { calibrate } from '../src/calibrate/calibrate.js';
import { CALIBRATION_POINTS } from '../src/calibrate/points.js';
import { readServingRows } from '../src/calibrate/serving-rows.js';
import { calibrateServing, ENGINE_HOST, servingRowWorkload, TOKEN_BUDGETS } from '../src/calibrate/serving-calibrate.js';
import { loadWorkload } from '../src/workload/load.js';

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

  // 10.0% over 8 held-out points with one efficiency factor per chip; 6.7% over all 13 with the kernel laws (issue 12: keep or improve).
  test('every point is held out (no parameter is read from any), median absolute error at most 7%', () => {
    expect(s.heldOut.count).toBe(s.rows.length);
    expect(s.heldOut.count).toBeGreaterThanOrEqual(13);
    expect(s.heldOut.medianAbsError).toBeLessThanOrEqual(0.07);
  });

  test('golden: H100 bf16 GEMM 8192^3 at 798 TFLOP/s (measured, shared/reference/chips.md), within 2%', () => {
    expect(Math.abs(row('h100-gemm-8192^3').error)).toBeLessThan(0.02);
  });

  // Within 10%: the A100's bf16 GEMM law misses held-out measured shapes by a median 9.6% (docs/kernel-calibration.md).
  test('golden: A100 fp16 GEMM 8192^3 in 3.96 ms (LLMCompass artifact), within 10%', () => {
    expect(Math.abs(row('a100-gemm-8192^3').error)).toBeLessThan(0.1);
  });

  test('golden: MaxText 32B on 256 TPU v5e at 66.86% MFU (maxtext v5e README), within 10%', () => {
    expect(Math.abs(row('maxtext-32b-v5e-256').error)).toBeLessThan(0.1);
  });

  test('golden: Llama 3 405B on 8192 H100 at 430 TFLOP/s per GPU (Llama 3 paper, Table 4), within 10%', () => {
    expect(Math.abs(row('llama3-405b-8192-h100').error)).toBeLessThan(0.1);
  });

  test('every point is feasible in the model; a point the model calls infeasible is refused with its name and reason', () => {
    expect(s.rows.every((r) => Number.isFinite(r.predicted) && r.predicted > 0)).toBe(true);
    const point = CALIBRATION_POINTS.find((p) => p.id === 'llama3-405b-8192-h100')!;
    // The same training run on 16 GB TPU v5e chips cannot hold its activations: the calibration must say so, not score it.
    const squeezed = { ...point, id: 'squeezed', design: 'tpu-v5e' };
    expect(() => calibrate([squeezed])).toThrow(/calibration point squeezed \(tpu-v5e\) is infeasible in the model: .*needs/);
  });
});

describe('serving calibration (measured TTFT and TPOT, data/serving-measured.csv)', () => {
  const c = calibrateServing();

  test('every row is predicted, GB200 and NVFP4 rows included, with finite positive latencies', () => {
    expect(c.skipped).toEqual([]);
    expect(c.rows.length).toBe(readServingRows().length);
    expect(c.rows.filter((r) => r.row.system === 'gb200').length).toBe(20);
    expect(c.rows.filter((r) => r.row.gemmQuantMode === 'nvfp4').length).toBe(138);
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

  // Issue 12: rankings that measurements show stay right in the model. Every workload measured on H100,
  // H200 and B200 alike (same backend, model, precision, ISL/OSL, concurrency, TP, PP: 45 groups, all
  // vLLM, Llama-3.1-70B fp8 at TP2/4/8) ranks B200 > H200 > H100 in output tokens/s per GPU, measured
  // (closed loop, Little's law: C x OSL / (TTFT + (OSL - 1) TPOT) / GPUs) and in the model.
  test('per GPU on every workload measured on all three: B200 > H200 > H100 tokens/s, measured and in the model', () => {
    const systems = ['h100_sxm', 'h200_sxm', 'b200_sxm'] as const;
    const groups = new Map<string, Partial<Record<(typeof systems)[number], (typeof c.rows)[number]>>>();
    for (const r of c.rows) {
      if (!(systems as readonly string[]).includes(r.row.system)) continue;
      const x = r.row;
      const k = [x.backend, x.model, x.gemmQuantMode, x.isl, x.osl, x.batchSize, x.tp, x.pp].join('|');
      groups.set(k, { ...groups.get(k), [x.system]: r });
    }
    const complete = [...groups.values()].filter((g) => systems.every((s) => g[s]));
    expect(complete.length).toBe(45);
    const perGpu = (r: (typeof c.rows)[number], ttftMs: number, tpotMs: number) => (r.row.batchSize * r.row.osl) / ((ttftMs + (r.row.osl - 1) * tpotMs) / 1e3) / (r.row.tp * r.row.pp);
    for (const g of complete) {
      const [h100, h200, b200] = systems.map((s) => g[s]!);
      const measured = [h100, h200, b200].map((r) => perGpu(r, r.row.ttftMs, r.row.tpotMs));
      const model = [h100, h200, b200].map((r) => perGpu(r, r.predictedTtftMs, r.predictedTpotMs));
      expect(measured[2] > measured[1] && measured[1] > measured[0]).toBe(true);
      expect([h100.row.line, model[2] > model[1] && model[1] > model[0]]).toEqual([h100.row.line, true]);
    }
  });

  // Issue 13's targets: median |error| over the dense rows at most 25% for TTFT and 15% for TPOT, with
  // no per-row tuning; the engines' host costs are fitted on the odd lines, so the even lines show the
  // error on rows the fit never saw (bench/fit-engine-host.mjs).
  test('median |error|: TTFT <= 25% and TPOT <= 15%, over all rows and over the rows held out of the engine fit', () => {
    expect(c.all.ttftMedianAbs).toBeLessThanOrEqual(0.25);
    expect(c.all.tpotMedianAbs).toBeLessThanOrEqual(0.15);
    expect(c.heldOut.count + c.fitted.count).toBe(c.rows.length);
    expect(c.heldOut.count).toBeGreaterThan(500);
    expect(c.heldOut.ttftMedianAbs).toBeLessThanOrEqual(0.25);
    expect(c.heldOut.tpotMedianAbs).toBeLessThanOrEqual(0.15);
  });

  test('each engine runs as it schedules: SGLang prefill-first, the others mixed; host costs per engine', () => {
    const at = (backend: string) => servingRowWorkload(readServingRows().find((x) => x.backend === backend)!);
    expect(at('sglang').serving.schedule).toBe('prefill-first');
    expect(at('vllm').serving.schedule).toBe('mixed');
    expect(at('trtllm').serving.schedule).toBe('mixed');
    expect(at('vllm').serving.eagerLayerSec).toBeGreaterThan(0);
    expect(at('trtllm').serving.iterationOverheadSec).toBeGreaterThan(0);
  });

  test('a workload that names no engine runs as TensorRT-LLM does: its token budget and its fitted host costs', () => {
    const s = loadWorkload('llama-3-70b-serve').serving;
    expect(s.tokenBudget).toBe(TOKEN_BUDGETS.trtllm);
    expect(s.iterationOverheadSec).toBe(ENGINE_HOST.trtllm.iterationOverheadSec);
    expect(s.eagerLayerSec).toBe(ENGINE_HOST.trtllm.eagerLayerSec);
    expect(s.schedule).toBe('mixed');
  });
});
