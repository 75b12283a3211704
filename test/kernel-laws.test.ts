import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import { loadDesign, parseDesign, resolveDesignSource } from '../src/chip/load.js';
import type { Chip } from '../src/chip/chip.js';
import { ValidationError } from '../src/errors.js';
import { evaluate } from '../src/eval/evaluate.js';
import { runPhase } from '../src/eval/phase.js';
import { stepCost, type Placement } from '../src/eval/step-cost.js';
import { decodeKernel, gemmKernel, prefillKernel, commKernel, elementwiseKernel, isHeldOut, type MeasuredKernel, type MeasuredRecord } from '../src/calibrate/kernel-rows.js';
import { predictKernel, prepareKernel } from '../src/calibrate/kernel-predict.js';
import { fitOn, INITIAL_PARAMS } from '../src/calibrate/kernel-fit.js';
import { defaultKernelParams, KERNEL_PARAMS_FILE, readKernelParamsFile } from '../src/kernels/load.js';
import { decodeSplits, tiledComputeSec } from '../src/kernels/time.js';
import { newWork } from '../src/kernels/work.js';
import { defaultPrecision, bytesPerValue } from '../src/precision/formats.js';
import type { Step } from '../src/workload/step.js';
import { forwardPass, tokenSteps } from '../src/workload/passes.js';
import { loadWorkload } from '../src/workload/load.js';

const PLACEMENT: Placement = { weightsInSram: false, expertsInDramFraction: 0, denseInDramFraction: 0, innerChips: {} };
const DESIGN = { a100_sxm: 'a100-sxm', h100_sxm: 'h100-sxm', h200_sxm: 'h200-sxm', b200_sxm: 'b200', gb200: 'gb200', b300_sxm: 'b300' } as const;
type System = keyof typeof DESIGN;
const chipOf = (s: System) => loadDesign(DESIGN[s]);
const error = (k: MeasuredKernel | string | undefined, chip: Chip) => {
  if (!k || typeof k === 'string') throw new Error(`row left out: ${k}`);
  return predictKernel(k, chip) / k.measuredSec - 1;
};

/**
 * Golden rows, copied from NVIDIA AIConfigurator's measured tables (Apache-2.0; shared/reference/measured/,
 * file <system>.<table>.csv.gz, latency_us column): each predicted by the tool with the shipped
 * parameters of that GPU (its preset, kernels.measured) within the stated tolerance.
 */
describe('kernel laws against measured rows (golden)', () => {
  // GEMM bf16 m=8192, n=16384, k=65536 (<system>.gemm.csv.gz): a shape held out of every fit. Tolerance 15%.
  test.each([
    ['a100_sxm', 70125],
    ['h100_sxm', 23938],
    ['h200_sxm', 25015],
    ['b200_sxm', 12683],
    ['gb200', 12177],
    ['b300_sxm', 12090],
  ] as [System, number][])('%s: bf16 GEMM 8192 x 16384 x 65536 in %d us, within 15%%', (system, us) => {
    const r: MeasuredRecord = { quant: 'bfloat16', m: 8192, n: 16384, k: 65536, latency_us: us };
    const chip = chipOf(system);
    expect(Math.abs(error(gemmKernel(system, r, chip, new Map()), chip))).toBeLessThan(0.15);
  });

  // Decode attention, Llama 3.1 70B at TP8 (batch 64, kv_len 8192, 8 query heads, 1 KV head, d 128, bf16 KV):
  // the README's sanity row (<system>.attention_generation.csv.gz). Tolerance 20% (Hopper's decode law misses
  // by a median 8-15%, docs/kernel-calibration.md). A100's row is among those caveat 3 leaves out.
  test.each([
    ['h100_sxm', 108.79],
    ['h200_sxm', 89.92],
    ['b200_sxm', 49.776],
    ['gb200', 51.648],
    ['b300_sxm', 50.475],
  ] as [System, number][])('%s: decode attention of Llama 3.1 70B at TP8 in %d us, within 20%%', (system, us) => {
    const r: MeasuredRecord = { batch: 64, kv_len: 8192, num_heads: 8, num_kv_heads: 1, head_dim: 128, window_size: 0, kv_cache_dtype: 'bfloat16', latency_us: us };
    const chip = chipOf(system);
    expect(Math.abs(error(decodeKernel(system, r, chip), chip))).toBeLessThan(0.2);
  });

  // Decode attention with an fp8 (E4M3) KV cache on Hopper: TensorRT-LLM's warp-specialized GMMA XQA kernel
  // (mha_sm90.cu), whose items' fixed work is paid in series with the read (exposedItemShare, a level of each
  // GPU). Rows held out of every fit (<system>.attention_generation.csv.gz; batch, kv_len, heads, KV heads,
  // head dim). The law without the exposed share (the parameters shipped before it) misses each by 15-28%:
  // +15.0%, -15.5%, +23.7%, +18.3%, +28.0% in this order; with it, -5.3% to +4.1%. Tolerance 10%.
  test.each([
    ['h100_sxm', 8, 256, 32, 8, 128, 7.653],
    ['h100_sxm', 256, 128, 64, 8, 128, 45.227],
    ['h100_sxm', 128, 16, 4, 1, 128, 6.043],
    ['h200_sxm', 1, 131072, 16, 4, 128, 50.016],
    ['h200_sxm', 64, 65536, 2, 1, 64, 150.85],
  ] as [System, number, number, number, number, number, number][])('%s: fp8-KV decode, batch %d, kv_len %d, %d q / %d kv heads of %d, in %d us, within 10%%', (system, batch, kvLen, heads, kvHeads, d, us) => {
    const r: MeasuredRecord = { batch, kv_len: kvLen, num_heads: heads, num_kv_heads: kvHeads, head_dim: d, window_size: 0, kv_cache_dtype: 'fp8', latency_us: us };
    expect(isHeldOut(`${batch},${kvLen},${heads},${kvHeads},${d},0,fp8`)).toBe(true);
    const chip = chipOf(system);
    expect(Math.abs(error(decodeKernel(system, r, chip), chip))).toBeLessThan(0.1);
  });

  test('exposedItemShare: 0 in the shared laws and the 16-bit lane, a level of each GPU with 8-bit rows', () => {
    const file = readKernelParamsFile(KERNEL_PARAMS_FILE);
    for (const p of [file.params, ...Object.values(file.leaveOneOut)]) {
      expect(p.attention.decode.kv16.exposedItemShare).toBe(0);
      expect(p.attention.decode.kv8.exposedItemShare).toBe(0);
    }
    for (const [system, levels] of Object.entries(file.perSystem)) {
      expect(levels.attention?.decode?.kv16?.exposedItemShare).toBeUndefined();
      if (system !== 'a100_sxm') expect(levels.attention?.decode?.kv8?.exposedItemShare).toBeGreaterThan(0);
    }
  });

  // Prefill attention, batch 1 of 8192 tokens, 32 query and 8 KV heads of 128, bf16 (<system>.attention_context.csv.gz). Tolerance 15%.
  test.each([
    ['a100_sxm', 4001.1],
    ['h100_sxm', 1084.5],
    ['h200_sxm', 1074.1],
    ['b200_sxm', 563.67],
    ['gb200', 512.1],
    ['b300_sxm', 488.19],
  ] as [System, number][])('%s: prefill attention of 8192 tokens (32 q / 8 kv heads) in %d us, within 15%%', (system, us) => {
    const r: MeasuredRecord = { batch: 1, seq_len: 8192, num_heads: 32, num_kv_heads: 8, head_dim: 128, window_size: 0, kv_cache_dtype: 'bfloat16', latency_us: us };
    expect(Math.abs(error(prefillKernel(system, r), chipOf(system)))).toBeLessThan(0.15);
  });

  // The serving engines' custom all-reduce of 256 bytes (<system>.comm.csv.gz): pure start-up, 3-5 us. Tolerance 15%.
  test.each([
    ['a100_sxm', 8, 4.3725],
    ['h100_sxm', 8, 3.2298],
    ['h200_sxm', 8, 3.047],
    ['b200_sxm', 8, 5.04],
    ['gb200', 4, 4.6397],
    ['b300_sxm', 8, 4.9114],
  ] as [System, number, number][])('%s: custom all-reduce of 256 B over %d GPUs in %d us, within 15%%', (system, g, us) => {
    const r: MeasuredRecord = { impl: 'custom_allreduce', op: 'all_reduce', dtype: 'bfloat16', num_gpus: g, message_bytes: 256, latency_us: us };
    expect(Math.abs(error(commKernel(system, r), chipOf(system)))).toBeLessThan(0.15);
  });

  // Static fp8 quantize of a 32768 x 65536 bf16 tensor (6.44 GB moved, <system>.quantize.csv.gz), Hopper. Tolerance 10%.
  test.each([
    ['h100_sxm', 2164.8],
    ['h200_sxm', 1502.8],
  ] as [System, number][])('%s: a 6.44 GB memory-bound kernel in %d us, within 10%%', (system, us) => {
    const r: MeasuredRecord = { op: 'scale_matrix', m: 32768, k: 65536, bytes_moved: 3 * 32768 * 65536, latency_us: us };
    const chip = chipOf(system);
    expect(Math.abs(error(elementwiseKernel(system, r, chip), chip))).toBeLessThan(0.1);
  });
});

describe('kernel-law invariants', () => {
  const rng = seedrandom('kernel-laws');
  const presets = ['a100-sxm', 'h100-sxm', 'b200', 'b300', 'tpu-v5p', 'mi300x'].map((n) => loadDesign(n));
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rng() * xs.length)];

  test('no attention or memory-bound step beats its compute or HBM roofline (300 random cases)', () => {
    const bf16 = defaultPrecision('bf16');
    for (let i = 0; i < 300; i++) {
      const chip = pick(presets);
      const heads = pick([8, 32, 64]);
      const kvHeads = pick([1, 8].filter((k) => k <= heads));
      const queries = pick([1, 4, 512, 4096]);
      const context = pick([128, 4096, 65536]);
      const batch = pick([1, 16, 256]);
      const att: Step = { kind: 'attention', name: 'a', batch, queries, context, heads, kvHeads, qkDim: 128, vDim: 128, kvBytesPerToken: 2 * kvHeads * 128 * 2, compute: bf16, act: bf16, repeat: 1 };
      const c = stepCost(chip, att, PLACEMENT);
      expect(c.timeSec).toBeGreaterThanOrEqual(c.macs / chip.peakMacsPerSec.bf16!);
      expect(c.timeSec).toBeGreaterThanOrEqual((batch * context * att.kvBytesPerToken) / chip.hbmBytesPerSec);
      const elements = 2 ** (10 + rng() * 24);
      const ew: Step = { kind: 'elementwise', name: 'e', elements, flopsPerElement: 4, bytesPerElement: 6, repeat: 1 };
      expect(stepCost(chip, ew, PLACEMENT).timeSec).toBeGreaterThanOrEqual((6 * elements) / chip.hbmBytesPerSec);
    }
  });

  // Decode attention is a KV-cache read split over the chip's independent cores; a chip with few
  // large cores (a TPU: 1-2 TensorCores of 4 MXUs) must still read its KV cache at a good share of
  // its HBM bandwidth. The laws were once divided by the matrix-unit count (8 on tpu7x), which made
  // TPU decode several times slower than its HBM bound.
  test('decode attention on TPU-like presets is bound by their HBM bandwidth, within a factor of 2', () => {
    const bf16 = defaultPrecision('bf16');
    for (const name of ['tpu-v4', 'tpu-v5e', 'tpu-v5p', 'tpu-v6e', 'tpu7x']) {
      const chip = { ...loadDesign(name), tdpW: undefined };
      for (const [batch, context, heads, kvHeads] of [[64, 8192, 64, 8], [256, 2048, 32, 8], [8, 32768, 8, 1], [512, 1024, 8, 1]]) {
        const att: Step = { kind: 'attention', name: 'a', batch, queries: 1, context, heads, kvHeads, qkDim: 128, vDim: 128, kvBytesPerToken: 2 * kvHeads * 128 * 2, compute: bf16, act: bf16, repeat: 1 };
        const c = stepCost(chip, att, PLACEMENT);
        const hbmBound = (batch * context * att.kvBytesPerToken) / chip.hbmBytesPerSec;
        expect(c.timeSec).toBeGreaterThanOrEqual(hbmBound);
        expect(c.timeSec).toBeLessThan(2 * hbmBound);
      }
    }
  });

  test('decode attention depends on the cores, not on how the matrix units are cut: half as many units, each twice as wide, change nothing', () => {
    const base = resolveDesignSource('tpu7x').data as Record<string, any>;
    const variant = (f: (d: any) => void) => {
      const d = JSON.parse(JSON.stringify(base));
      f(d);
      return { ...parseDesign(d, 'variant').chip, tdpW: undefined };
    };
    const wide = variant((d) => {
      d.compute.matrixUnits[0].count /= 2;
      for (const k of Object.keys(d.compute.matrixUnits[0].macsPerCycle)) d.compute.matrixUnits[0].macsPerCycle[k] *= 2;
    });
    const bf16 = defaultPrecision('bf16');
    const att: Step = { kind: 'attention', name: 'a', batch: 64, queries: 1, context: 8192, heads: 64, kvHeads: 8, qkDim: 128, vDim: 128, kvBytesPerToken: 2 * 8 * 128 * 2, compute: bf16, act: bf16, repeat: 1 };
    expect(stepCost(wide, att, PLACEMENT).timeSec).toBe(stepCost(variant(() => {}), att, PLACEMENT).timeSec);
    // Without compute.cores, every unit of the largest matrix unit counts as a core.
    expect(variant((d) => delete d.compute.cores).cores).toBe(8);
    expect(loadDesign('tpu7x').cores).toBe(2);
    expect(loadDesign('h100-sxm').cores).toBe(132);
  });

  // TensorRT-LLM runs decode attention with one kernel when each KV head serves one query row and
  // another (XQA) for grouped queries; each has its own fixed time per call (H100 with an fp8 KV
  // cache: 9.0 and 6.1 us fitted, measured 8.9 us against 5.5-6.5 us for batch 1 of 2 tokens).
  test('grouped-query decode pays the grouped kernel\'s fixed time, one query row per KV head the other', () => {
    const base = { ...loadDesign('h100-sxm'), tdpW: undefined };
    const law = base.kernels.attention.decode.kv16;
    const slower = { ...base, kernels: { ...base.kernels, attention: { ...base.kernels.attention, decode: { ...base.kernels.attention.decode, kv16: { ...law, groupedLaunchSec: law.groupedLaunchSec + 50e-6 } } } } };
    const bf16 = defaultPrecision('bf16');
    const att = (heads: number): Step => ({ kind: 'attention', name: 'a', batch: 16, queries: 1, context: 4096, heads, kvHeads: 8, qkDim: 128, vDim: 128, kvBytesPerToken: 2 * 8 * 128 * 2, compute: bf16, act: bf16, repeat: 1 });
    expect(stepCost(slower, att(64), PLACEMENT).timeSec - stepCost(base, att(64), PLACEMENT).timeSec).toBeCloseTo(50e-6, 12);
    expect(stepCost(slower, att(8), PLACEMENT).timeSec).toBe(stepCost(base, att(8), PLACEMENT).timeSec);
    const h100 = readKernelParamsFile().perSystem.h100_sxm as any;
    expect(h100.attention.decode.kv8.groupedLaunchSec).toBeLessThan(h100.attention.decode.kv8.launchSec);
  });

  // TensorRT-LLM fuses RoPE into its Hopper fp8 XQA kernel only when rotary_embedding_dim <=
  // head_size (appliesRoPEInXqaKernel); otherwise a preprocessing kernel runs first. AIConfigurator
  // measures with a rotary dimension of 128, so its grouped rows with heads of 64 took 7.7-8.0 us at
  // batch 1 of 2 tokens on H100/H200 against 5.6-6.0 us with heads of 128.
  test('grouped decode whose RoPE is wider than the head pays the other path\'s fixed time', () => {
    const base = { ...loadDesign('h100-sxm'), tdpW: undefined };
    const law = base.kernels.attention.decode.kv8;
    const slower = { ...base, kernels: { ...base.kernels, attention: { ...base.kernels.attention, decode: { ...base.kernels.attention.decode, kv8: { ...law, launchSec: law.launchSec + 50e-6 } } } } };
    const bf16 = defaultPrecision('bf16');
    const att = (qkDim: number, ropeDim?: number): Step => ({ kind: 'attention', name: 'a', batch: 16, queries: 1, context: 4096, heads: 64, kvHeads: 8, qkDim, vDim: qkDim, kvBytesPerToken: 2 * 8 * qkDim /* fp8 KV: the 8-bit lane */, compute: bf16, act: bf16, repeat: 1, ...(ropeDim === undefined ? {} : { ropeDim }) });
    const moved = (s: Step) => stepCost(slower, s, PLACEMENT).timeSec - stepCost(base, s, PLACEMENT).timeSec;
    expect(moved(att(64, 128))).toBeCloseTo(50e-6, 12);
    expect(moved(att(64))).toBe(0);
    expect(moved(att(128, 128))).toBe(0);
    expect(moved(att(128, 64))).toBe(0);
  });

  // TensorRT-LLM's decode kernel (XQA) splits each sequence's KV over several thread blocks
  // ("multi-block mode"): chunks of at least 128 tokens, at most round(sqrt(8 x chunks)), no more
  // than fill 8 waves of the SMs (decoderXQAConstants.h, computeMultiBlockCount).
  test('a decode read splits its sequences as TensorRT-LLM\'s multi-block mode does', () => {
    expect(decodeSplits(128, 512, 132)).toBe(1);
    expect(decodeSplits(255, 512, 132)).toBe(1);
    // 512 sequences x KV heads, 2 chunks of 128 tokens: 1,024 blocks, 7.8 waves of 132 SMs.
    expect(decodeSplits(256, 512, 132)).toBe(2);
    // 32 chunks, capped at round(sqrt(256)) = 16, then at 8 waves: floor(16 / (512 x 16 / 132 / 8)) = 2.
    expect(decodeSplits(4096, 512, 132)).toBe(2);
    // One stream of 131,072 tokens: 1,024 chunks, the reduction caps the split at round(sqrt(8,192)) = 91.
    expect(decodeSplits(131072, 1, 132)).toBe(91);
    // A batch that fills the cores many times over is not split.
    expect(decodeSplits(8192, 4096, 132)).toBe(1);
  });

  // The split shows in the measured rows: H100, bf16 KV, batch 64, 64 query / 8 KV heads of 128
  // (h100_sxm.attention_generation.csv.gz): 25.6 us at kv_len 128 (512 thread blocks), 52.2 us at
  // 256 (1,024 blocks, each with its fixed cost), though the K+V read is 8 and 17 MB. A law that
  // split by KV bytes predicted 30.2 and 40.1 us (ratio 1.33); this one 31.2 and 52.8 us.
  test('H100 decode doubles from kv_len 128 to 256 at batch 64, as the split into twice the thread blocks does', () => {
    const chip = chipOf('h100_sxm');
    const row = (kv_len: number, latency_us: number): MeasuredRecord => ({ batch: 64, kv_len, num_heads: 64, num_kv_heads: 8, head_dim: 128, window_size: 0, kv_cache_dtype: 'bfloat16', latency_us });
    const short = decodeKernel('h100_sxm', row(128, 25.557), chip) as MeasuredKernel;
    const long = decodeKernel('h100_sxm', row(256, 52.181), chip) as MeasuredKernel;
    expect(Math.abs(error(short, chip))).toBeLessThan(0.25);
    expect(Math.abs(error(long, chip))).toBeLessThan(0.25);
    expect(predictKernel(long, chip) / predictKernel(short, chip)).toBeGreaterThan(1.5);
  });

  // A work item's fixed cost grows with the query rows and head width it carries (it loads Q, and
  // writes and reduces a partial output of that size): H100, fp8 KV, batch 1,024 of 2 tokens, one
  // KV head of 128 (h100_sxm.attention_generation.csv.gz): 15.1 us for 8 query heads, 37.3 us for 32.
  test('decode work items cost more with more query rows per KV head (H100, fp8 KV: 8 against 32 query heads)', () => {
    const chip = chipOf('h100_sxm');
    const row = (num_heads: number, latency_us: number): MeasuredRecord => ({ batch: 1024, kv_len: 2, num_heads, num_kv_heads: 1, head_dim: 128, window_size: 0, kv_cache_dtype: 'fp8', latency_us });
    const g8 = decodeKernel('h100_sxm', row(8, 15.131), chip) as MeasuredKernel;
    const g32 = decodeKernel('h100_sxm', row(32, 37.312), chip) as MeasuredKernel;
    expect(predictKernel(g32, chip) / predictKernel(g8, chip)).toBeGreaterThan(1.6);
    const law = chip.kernels.attention.decode.kv8;
    expect(law.rowFactor).toBeGreaterThan(0);
  });

  test('decode rows whose sliding window is shorter than kv_len are left out; shorter histories are plain decode', () => {
    const chip = chipOf('h100_sxm');
    const row = (kv_len: number): MeasuredRecord => ({ batch: 64, kv_len, num_heads: 16, num_kv_heads: 2, head_dim: 64, window_size: 128, kv_cache_dtype: 'bfloat16', latency_us: 10 });
    expect(typeof decodeKernel('h100_sxm', row(1024), chip)).toBe('string');
    expect(typeof decodeKernel('h100_sxm', row(128), chip)).toBe('object');
  });

  test('a larger wave-quantization remainder costs time: one tile past a full wave of the units costs more per MAC', () => {
    const law = defaultKernelParams().gemm.bf16;
    expect(law.waveWeight).toBeGreaterThan(0);
    const w = { ...newWork(), tile: 128, units: 512, loopDepth: 4096 };
    const slots = w.units / law.unitsPerItem;
    const full = { ...w, items: slots, paddedMacs: slots * 128 * 128 * 4096 };
    const over = { ...w, items: slots + 1, paddedMacs: (slots + 1) * 128 * 128 * 4096 };
    const perMac = (x: typeof w & { paddedMacs: number }) => tiledComputeSec(x, 1e15, law) / x.paddedMacs;
    expect(perMac(over)).toBeGreaterThan(perMac(full) * 1.001);
  });

  test('extrapolation from specifications: twice the matrix units (and the SRAM bandwidth that feeds them) nearly halve a large GEMM; a bigger tile reads SRAM less', () => {
    const h100 = resolveDesignSource('h100-sxm').data as Record<string, any>;
    const variant = (f: (d: any) => void) => {
      const d = JSON.parse(JSON.stringify(h100));
      delete d.kernels;
      f(d);
      return parseDesign(d, 'variant').chip;
    };
    const base = variant(() => {});
    const doubled = variant((d) => {
      d.compute.matrixUnits[0].count *= 2;
      d.memory.sram.bytesPerSec = '61.8 TB/s';
    });
    const bigTile = variant((d) => (d.compute.matrixUnits[0].tileDim = 256));
    const p = defaultPrecision('bf16');
    const gemm: Step = { kind: 'matmul', name: 'g', m: 16384, k: 16384, n: 16384, count: 1, a: p, b: p, out: p, weights: true, bFraction: 1, repeat: 1 };
    const t = (c: Chip) => stepCost({ ...c, tdpW: undefined }, gemm, PLACEMENT).timeSec;
    expect(t(doubled) / t(base)).toBeLessThan(0.55);
    expect(t(doubled) / t(base)).toBeGreaterThan(0.45);
    // Each operand byte feeds twice as many MACs; the time moves only by the wave remainder of the bigger tiles.
    const sram = (c: Chip) => stepCost({ ...c, tdpW: undefined }, gemm, PLACEMENT).sramBytes;
    expect(sram(bigTile)).toBeLessThan(0.6 * sram(base));
    expect(t(bigTile)).toBeLessThan(t(base) * 1.02);
  });

  test('fp8 GEMMs reach a smaller share of their peak than bf16 on an H100 (measured: fp8 65-76%, bf16 up to 86%)', () => {
    const h100 = loadDesign('h100-sxm');
    const share = (f: 'bf16' | 'fp8_e4m3', n: number) => {
      const p = defaultPrecision(f);
      const s: Step = { kind: 'matmul', name: 'g', m: n, k: n, n, count: 1, a: p, b: p, out: defaultPrecision('bf16'), weights: true, bFraction: 1, repeat: 1 };
      return n ** 3 / stepCost(h100, s, PLACEMENT).timeSec / h100.peakMacsPerSec[f]!;
    };
    for (const n of [2048, 8192]) expect(share('fp8_e4m3', n)).toBeLessThan(share('bf16', n));
  });

  test('energy follows time: at a lower efficiency a step takes longer and costs more static energy, the same dynamic energy', () => {
    const fast = loadDesign('h100-sxm');
    const slow: Chip = { ...fast, kernels: { ...fast.kernels, gemm: { ...fast.kernels.gemm, bf16: { ...fast.kernels.gemm.bf16, efficiency: fast.kernels.gemm.bf16.efficiency / 2 } } } };
    const p = defaultPrecision('bf16');
    const steps: Step[] = [{ kind: 'matmul', name: 'g', m: 8192, k: 8192, n: 8192, count: 1, a: p, b: p, out: p, weights: true, bFraction: 1, repeat: 1 }];
    const a = runPhase({ ...fast, tdpW: undefined }, 'x', 1, steps, PLACEMENT);
    const b = runPhase({ ...slow, tdpW: undefined }, 'x', 1, steps, PLACEMENT);
    expect(b.timeSec).toBeGreaterThan(1.5 * a.timeSec);
    expect(b.energyJ.static / a.energyJ.static).toBeCloseTo(b.timeSec / a.timeSec, 9);
    for (const part of ['compute', 'sram', 'hbm', 'interconnect'] as const) expect(b.energyJ[part]).toBeCloseTo(a.energyJ[part], 12);
  });

  test('the power limit keeps working: a 300 W H100 is power-bound on a large GEMM and never draws more than its limit', () => {
    const h100 = loadDesign('h100-sxm');
    const capped: Chip = { ...h100, tdpW: 300 };
    const p = defaultPrecision('bf16');
    const gemm: Step = { kind: 'matmul', name: 'g', m: 8192, k: 8192, n: 8192, count: 1, a: p, b: p, out: p, weights: true, bFraction: 1, repeat: 1 };
    const c = stepCost(capped, gemm, PLACEMENT);
    expect(c.boundBy).toBe('power');
    const dynamicJ = c.energyJ.compute + c.energyJ.sram + c.energyJ.hbm + c.energyJ.interconnect;
    expect(dynamicJ / c.timeSec + capped.energy.staticW).toBeLessThanOrEqual(300 * (1 + 1e-9));
    expect(c.timeSec).toBeGreaterThan(stepCost({ ...h100, tdpW: undefined }, gemm, PLACEMENT).timeSec);
  });
});

describe('rankings the measurements show stay right', () => {
  // On the measured workloads themselves: test/calibration.test.ts (45 groups of serving rows). Here the
  // shipped preset at "auto" concurrency (the highest meeting its SLOs) ranks the same way.
  test('per chip on the same serving workload: B200 > H200 > H100 (tokens/s)', () => {
    const w = loadWorkload('llama-3-70b-serve');
    const rate = (d: string) => evaluate(loadDesign(d), w).metrics.tokensPerSec;
    expect(rate('b200')).toBeGreaterThan(rate('h200-sxm'));
    expect(rate('h200-sxm')).toBeGreaterThan(rate('h100-sxm'));
  });
});

describe('the parameter file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chipdse-kernels-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('loads, validates, and every measured preset takes its own levels from it', () => {
    const file = readKernelParamsFile();
    expect(file.schemaVersion).toBe(1);
    expect(Object.keys(file.perSystem).sort()).toEqual(Object.keys(DESIGN).sort());
    expect(Object.keys(file.leaveOneOut).sort()).toEqual(Object.keys(DESIGN).sort());
    const h100 = loadDesign('h100-sxm');
    expect(h100.kernels.gemm.bf16.efficiency).toBe((file.perSystem.h100_sxm as any).gemm.bf16.efficiency);
    // A design of an unbuilt chip gets the shared fit.
    expect(loadDesign('tpu-v5p').kernels).toBe(defaultKernelParams());
    // Provenance: attribution of the Apache-2.0 source and the rows used.
    const raw = JSON.parse(readFileSync(KERNEL_PARAMS_FILE, 'utf8'));
    expect(raw.source.license).toBe('Apache-2.0');
    expect(raw.source.attribution).toMatch(/NVIDIA/);
    expect(raw.rows.h100_sxm.fittedKeysSha1['gemm bf16']).toMatch(/^[0-9a-f]{40}$/);
  });

  // The leave-one-out fits halve the large classes for speed but keep every collective row: their
  // tables are small, and a halved table had left the one- and two-shot start-ups to chance (GB200's
  // custom all-reduce, predicted without GB200, missed by 27%).
  test('the fits without each GPU use every collective training row of the other GPUs', () => {
    const raw = JSON.parse(readFileSync(KERNEL_PARAMS_FILE, 'utf8'));
    const systems = Object.keys(DESIGN) as System[];
    for (const law of ['collectives ring', 'collectives one-shot, two-shot', 'collectives all-to-all']) {
      const own = (s: System) => raw.fitQuality.perSystem[s][law]?.rows ?? 0;
      for (const out of systems) {
        const others = systems.filter((s) => s !== out).reduce((a, s) => a + own(s), 0);
        expect(raw.fitQuality.leaveOneOut[out][law].rows).toBe(others);
      }
    }
    // GEMM rows stay halved (every other training row).
    const gemmOwn = systems.filter((s) => s !== 'gb200').reduce((a, s) => a + raw.fitQuality.perSystem[s]['gemm bf16'].rows, 0);
    expect(raw.fitQuality.leaveOneOut.gb200['gemm bf16'].rows).toBeLessThan(0.6 * gemmOwn);
  });

  test('a broken parameter file is one line per bad field, naming the file and the field', () => {
    const raw = JSON.parse(readFileSync(KERNEL_PARAMS_FILE, 'utf8'));
    raw.params.gemm.fp8.efficiency = 1.7;
    delete raw.params.elementwise.launchSec;
    const f = join(dir, 'params.json');
    writeFileSync(f, JSON.stringify(raw));
    expect(() => readKernelParamsFile(f)).toThrow(ValidationError);
    try {
      readKernelParamsFile(f);
    } catch (e) {
      const lines = (e as Error).message.split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(new RegExp(`^${f}: params.(gemm.fp8.efficiency|elementwise.launchSec): `));
    }
  });

  test('a bad override in a design is one clear line naming the field', () => {
    const d = JSON.parse(JSON.stringify(resolveDesignSource('h100-sxm').data));
    d.kernels = { measured: 'h100_sxm', gemm: { bf16: { efficiency: 1.2 } } };
    expect(() => parseDesign(d, 'x.json')).toThrow(/^x\.json: kernels\.gemm\.bf16\.efficiency: .*1$/);
    d.kernels = { measured: 'h800_sxm' };
    expect(() => parseDesign(d, 'x.json')).toThrow(/^x\.json: kernels\.measured: no measured GPU "h800_sxm"/);
    d.kernels = { collectives: { ring: { busEfficency: 0.5 } } };
    expect(() => parseDesign(d, 'x.json')).toThrow(/^x\.json: kernels\.collectives\.ring\.busEfficency: unknown key/);
    // A good override changes the one parameter and keeps the measured levels.
    d.kernels = { measured: 'h100_sxm', gemm: { bf16: { efficiency: 0.5 } } };
    const chip = parseDesign(d, 'x.json').chip;
    expect(chip.kernels.gemm.bf16.efficiency).toBe(0.5);
    expect(chip.kernels.gemm.fp8).toEqual(loadDesign('h100-sxm').kernels.gemm.fp8);
  });
});

describe('fitting', () => {
  // Synthetic rows: bf16 GEMMs and memory-bound kernels on an H100 spec, "measured" as the tool's own
  // prediction under known parameters; fitting from the fixed starting values must find a set that
  // predicts them again, and must give the same bytes twice.
  const chip = (() => {
    const d = JSON.parse(JSON.stringify(resolveDesignSource('h100-sxm').data));
    delete d.kernels;
    return parseDesign(d, 'h100').chip;
  })();
  const truth = JSON.parse(JSON.stringify(INITIAL_PARAMS));
  Object.assign(truth.gemm.bf16, { efficiency: 0.82, launchSec: 4e-6, hbmEfficiency: 0.9, overlap: 3 });
  Object.assign(truth.elementwise, { launchSec: 1.5e-6, hbmEfficiency: 0.88 });
  const truthChip: Chip = { ...chip, kernels: truth };
  const rng = seedrandom('fit');
  const rows: MeasuredKernel[] = [];
  for (let i = 0; i < 40; i++) {
    const [m, n, k] = [0, 0, 0].map(() => 2 ** Math.floor(4 + rng() * 10));
    const r = gemmKernel('h100_sxm', { quant: 'bfloat16', m, n, k, latency_us: 1e9 }, chip, new Map()) as MeasuredKernel;
    rows.push({ ...r, measuredSec: predictKernel(r, truthChip) });
    const elements = 2 ** Math.floor(12 + rng() * 20);
    const e = elementwiseKernel('h100_sxm', { op: 'scale_matrix', m: elements, k: 1, bytes_moved: 0, latency_us: 1 }, chip) as MeasuredKernel;
    rows.push({ ...e, measuredSec: predictKernel(e, truthChip) });
  }
  const prepared = () => rows.map((r) => prepareKernel(r, chip));

  test('recovers parameters that reproduce the measurements, and is deterministic', () => {
    const a = fitOn(prepared(), new Map([['h100_sxm', chip]]));
    const b = fitOn(prepared(), new Map([['h100_sxm', chip]]));
    expect(JSON.stringify(a.params)).toBe(JSON.stringify(b.params));
    const fitted: Chip = { ...chip, kernels: a.params };
    const errs = rows.map((r) => Math.abs(predictKernel(r, fitted) / r.measuredSec - 1)).sort((x, y) => x - y);
    expect(errs[Math.floor(errs.length / 2)]).toBeLessThan(0.02);
    expect(a.quality['gemm bf16'].meanAbsLogError).toBeLessThan(0.03);
  }, 60_000);
});

describe('collectives and traces', () => {
  test('tensor-parallel all-reduces are sized in bf16 even when activations are fp8, in whole passes and in a serving iteration\'s token steps', () => {
    const w = loadWorkload('llama-3-70b-serve');
    const fp8 = defaultPrecision('fp8_e4m3');
    const prec = { weights: fp8, activations: fp8, kvCache: fp8 };
    const m = w.model!;
    const n = 96;
    const allReduces = (steps: Step[]) => steps.filter((s) => s.kind === 'collective' && s.op === 'all-reduce');
    for (const steps of [forwardPass(m, { batch: n, queries: 1, context: 1024, logitsTokens: n }, { tensor: 8, expert: 1 }, prec), tokenSteps(m, n, { tensor: 8, expert: 1 }, prec)]) {
      const ar = allReduces(steps);
      expect(ar.map((s) => s.name)).toEqual(['attn all-reduce (TP)', 'ffn all-reduce (TP)']);
      // 2 bytes per value of the hidden state, not the 1 byte of fp8.
      for (const s of ar) expect(s.kind === 'collective' && s.bytes).toBe(n * m.hiddenSize * 2);
      // Made of rows of the model's width (a token each), which a one-shot gives a core each.
      for (const s of ar) expect(s.kind === 'collective' && s.rowBytes).toBe(m.hiddenSize * 2);
    }
    // fp32 activations reduce in fp32.
    const fp32 = defaultPrecision('fp32');
    expect(allReduces(tokenSteps(m, n, { tensor: 8, expert: 1 }, { ...prec, activations: fp32 })).map((s) => s.kind === 'collective' && s.bytes)).toEqual([n * m.hiddenSize * 4, n * m.hiddenSize * 4]);
    expect(bytesPerValue(fp8)).toBe(1);
  });
});

describe('the custom all-reduce follows its library\'s algorithm policy (A100: TensorRT-LLM 1.0)', () => {
  const row = (system: System, impl: string, g: number, bytes: number, us: number, dtype = 'bfloat16') => commKernel(system, { impl, op: 'all_reduce', dtype, num_gpus: g, message_bytes: bytes, latency_us: us });
  // a100_sxm.comm.csv.gz: 2 GPUs, 1 MiB 11.561 us, 2 MiB 47.647 us (custom); NCCL's fp16 2 MiB 47.58 us.
  test('A100 rows over 128 tokens (1 MiB) are timed as handed to NCCL: the NCCL row\'s time, well above the fastest one- or two-shot', () => {
    const chip = chipOf('a100_sxm');
    const custom = row('a100_sxm', 'custom_allreduce', 2, 2097152, 47.647);
    expect(custom.collective!.policy).toEqual({ selection: 'thresholds', oneShotMaxTokens: 128, twoShotMaxTokens: 128, oneShotMaxBytes: 1048576, twoShotMaxBytes: 1048576, maxRowCores: 1 });
    const handedOff = predictKernel(custom, chip);
    expect(handedOff).toBeCloseTo(predictKernel(row('a100_sxm', 'nccl', 2, 2097152, 47.58, 'half'), chip), 15);
    const fastest = predictKernel({ ...custom, collective: { ...custom.collective!, policy: undefined } }, chip);
    expect(handedOff).toBeGreaterThan(1.5 * fastest);
    // At 1 MiB it is still the one-shot kernel, within 10% of the measured 11.56 us.
    expect(Math.abs(error(row('a100_sxm', 'custom_allreduce', 2, 1048576, 11.561), chip))).toBeLessThan(0.1);
  });

  test('other GPUs\' custom rows (TensorRT-LLM 1.3, a measured best-strategy table) take the fastest algorithm', () => {
    for (const s of ['h100_sxm', 'h200_sxm', 'b200_sxm', 'gb200', 'b300_sxm'] as System[]) expect(row(s, 'custom_allreduce', 4, 2097152, 1).collective!.policy).toBeUndefined();
  });

  test('the A100 preset carries the policy, the shared laws (an unbuilt chip) the fastest; a design may set its own', () => {
    expect(loadDesign('a100-sxm').kernels.allReduce).toEqual({ selection: 'thresholds', oneShotMaxTokens: 128, twoShotMaxTokens: 128, oneShotMaxBytes: 1048576, twoShotMaxBytes: 1048576, maxRowCores: 1 });
    expect(defaultKernelParams().allReduce.selection).toBe('fastest');
    expect(loadDesign('h100-sxm').kernels.allReduce.selection).toBe('fastest');
    const d = JSON.parse(JSON.stringify(resolveDesignSource('a100-sxm').data));
    d.kernels = { ...d.kernels, allReduce: { selection: 'fastest' } };
    const fastest = parseDesign(d, 'x.json').chip;
    expect(fastest.kernels.allReduce.oneShotMaxBytes).toBe(1048576);
    // The evaluator's step model reads the design's policy: a 1 MiB tensor-parallel all-reduce over 8 A100s (one-shot by the policy, two-shot the fastest).
    const step: Step = { kind: 'collective', name: 'ar', op: 'all-reduce', group: 'tensor', groupSize: 8, bytes: 1048576, rowBytes: 8192, overlap: undefined, repeat: 1 };
    const placement: Placement = { ...PLACEMENT, innerChips: { tensor: 1 } };
    expect(stepCost(loadDesign('a100-sxm'), step, placement).timeSec).toBeGreaterThan(stepCost(fastest, step, placement).timeSec);
    d.kernels = { allReduce: { selection: 'smallest' } };
    expect(() => parseDesign(d, 'x.json')).toThrow(/^x\.json: kernels\.allReduce\.selection: /);
    d.kernels = { allReduce: { oneShotMaxBytes: -1 } };
    expect(() => parseDesign(d, 'x.json')).toThrow(/^x\.json: kernels\.allReduce\.oneShotMaxBytes: /);
    d.kernels = { allReduce: { oneShotMaxTokens: -1 } };
    expect(() => parseDesign(d, 'x.json')).toThrow(/^x\.json: kernels\.allReduce\.oneShotMaxTokens: /);
    // A design that states only byte thresholds stays valid: they are the flat buffers' thresholds now, the tokens' stay TensorRT-LLM's.
    d.kernels = { measured: 'a100_sxm', allReduce: { selection: 'thresholds', oneShotMaxBytes: 524288, twoShotMaxBytes: 8388608 } };
    expect(parseDesign(d, 'x.json').chip.kernels.allReduce).toEqual({ selection: 'thresholds', oneShotMaxTokens: 128, twoShotMaxTokens: 128, oneShotMaxBytes: 524288, twoShotMaxBytes: 8388608, maxRowCores: 1 });
  });

  test('TensorRT-LLM 1.0 decides by tokens, whatever the width: Llama 3 70B (8,192 wide) on 8 A100s runs its all-reduces of 100 tokens one-shot, of 200 tokens NCCL; a flat buffer goes by bytes', () => {
    const m = loadWorkload('llama-3-70b-serve').model!;
    expect(m.hiddenSize).toBe(8192);
    const prec = { weights: defaultPrecision('bf16'), activations: defaultPrecision('bf16'), kvCache: defaultPrecision('bf16') };
    const a100 = loadDesign('a100-sxm');
    const d = JSON.parse(JSON.stringify(resolveDesignSource('a100-sxm').data));
    const variant = (allReduce: object) => {
      d.kernels = { ...(resolveDesignSource('a100-sxm').data as { kernels?: object }).kernels, allReduce };
      return parseDesign(d, 'x.json').chip;
    };
    // Every size one-shot, every size NCCL (the same laws, only the policy differs).
    const oneShot = variant({ oneShotMaxTokens: 1e9, twoShotMaxTokens: 1e9, oneShotMaxBytes: 1e12, twoShotMaxBytes: 1e12 });
    const nccl = variant({ oneShotMaxTokens: 0, twoShotMaxTokens: 0, oneShotMaxBytes: 0, twoShotMaxBytes: 0 });
    const placement: Placement = { ...PLACEMENT, innerChips: { tensor: 1 } };
    const timeOn = (chip: Chip, s: Step) => stepCost(chip, s, placement).timeSec;
    for (const [n, runs] of [[100, oneShot], [128, oneShot], [129, nccl], [200, nccl]] as const) {
      const ar = tokenSteps(m, n, { tensor: 8, expert: 1 }, prec).find((s) => s.kind === 'collective' && s.op === 'all-reduce')!;
      expect(ar.kind === 'collective' && ar.rowBytes).toBe(16384);
      // The two algorithms differ at this size, so the equality below says which one ran.
      expect(timeOn(oneShot, ar)).not.toBeCloseTo(timeOn(nccl, ar), 9);
      expect(timeOn(a100, ar)).toBe(timeOn(runs, ar));
    }
    // A flat buffer (rowBytes 0) of 100 such tokens' bytes, 1.6 MB, is over the 1 MiB byte threshold: NCCL; 1 MiB itself one-shot.
    const flat = (bytes: number): Step => ({ kind: 'collective', name: 'ar', op: 'all-reduce', group: 'tensor', groupSize: 8, bytes, rowBytes: 0, overlap: undefined, repeat: 1 });
    expect(timeOn(a100, flat(100 * 16384))).toBe(timeOn(nccl, flat(100 * 16384)));
    expect(timeOn(a100, flat(1048576))).toBe(timeOn(oneShot, flat(1048576)));
    expect(timeOn(oneShot, flat(1048576))).not.toBeCloseTo(timeOn(nccl, flat(1048576)), 9);
  });
});

test('a parameter file written before the all-reduce policy existed reads as the fastest algorithm (what it modeled)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chipdse-kp-'));
  try {
    const data = JSON.parse(readFileSync(KERNEL_PARAMS_FILE, 'utf8'));
    delete data.params.allReduce;
    for (const p of Object.values(data.leaveOneOut) as { allReduce?: unknown }[]) delete p.allReduce;
    const f = join(dir, 'old.json');
    writeFileSync(f, JSON.stringify(data));
    const file = readKernelParamsFile(f);
    expect(file.params.allReduce).toEqual({ selection: 'fastest', oneShotMaxTokens: 128, twoShotMaxTokens: 128, oneShotMaxBytes: 1048576, twoShotMaxBytes: 1048576, maxRowCores: 8 });
    expect(file.leaveOneOut.a100_sxm.allReduce.selection).toBe('fastest');
    // A100's own levels still carry its library's policy.
    expect(file.perSystem.a100_sxm.allReduce?.selection).toBe('thresholds');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
