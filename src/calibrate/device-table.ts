import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Chip } from '../chip/chip.js';
import { ChipdseError } from '../errors.js';
import { kernelParamsOfSystem, readKernelParamsFile, KERNEL_PARAMS_FILE } from '../kernels/load.js';
import { bytesPerValue } from '../precision/formats.js';
import type { Step } from '../workload/step.js';
import { errorStats, quantile, type KernelErrorStats } from './kernel-calibration.js';
import { predictKernel } from './kernel-predict.js';
import { GEMM_QUANTS, gemmStep, type MeasuredKernel } from './kernel-rows.js';
import { num, readMeasuredTable, readMeasuredTableIfAny, specificationChip, str } from './kernel-tables.js';

/**
 * chipdse's own kernel timings on a lent NVIDIA H200 (bench/device/h200_kernels.py: PyTorch over
 * cuBLAS/cuBLASLt, CUDA-graph replays timed by CUDA events; data/device/README.md says how and
 * when), checked against the kernel laws. None of these rows was used to fit the laws, and the
 * software stack differs from the one the laws were fitted on (TensorRT-LLM, NVIDIA AIConfigurator
 * tables), so this is an out-of-sample check of the shipped fit and of the fit made without the
 * H200 (its specifications alone). Where the AIConfigurator tables are at hand, the same shapes are
 * also set beside theirs, which checks the reference data itself.
 */
export const DEVICE_DIR = fileURLToPath(new URL('../../data/device', import.meta.url));
export const DEVICE_RUNS = ['h200-run1.csv', 'h200-run2.csv'] as const;
const SYSTEM = 'h200_sxm';
const DESIGN = 'h200-sxm';

/** One measured shape, its time the mean of the runs that timed it. */
export interface DeviceRow {
  kind: 'gemm' | 'copy' | 'read';
  quant: string;
  /** warm: one input set reused; cold: weights rotated past the L2 (both CUDA-graph replays); eager: warm, launched without a graph. */
  mode: 'warm' | 'cold' | 'eager';
  m: number;
  n: number;
  k: number;
  bytes: number;
  measuredSec: number;
  /** |run 1 / run 2 - 1|: how far two timings of the same shape drifted. */
  runSpread: number;
}

export interface DeviceInfo {
  device: string;
  sms: number;
  l2_bytes: number;
  torch: string;
  cuda: string;
  date_utc: string;
  nvidia_smi: string;
}

type RunRow = Record<string, string | number | null>;

/** One run's timed rows by shape (rows the device could not time carry an error and are skipped). */
function parseRun(dir: string, file: string): Map<string, RunRow> {
  const out = new Map<string, RunRow>();
  for (const [i, r] of readMeasuredTable(dir, file).rows.entries()) {
    if (r.error !== null) continue;
    const latency = r.latency_us;
    if (!['gemm', 'copy', 'read'].includes(String(r.kind)) || typeof latency !== 'number' || !(latency > 0)) {
      throw new ChipdseError(`${join(dir, file)}: row ${i + 2}: field kind or latency_us is not a measured row (kind ${JSON.stringify(r.kind)}, latency_us ${JSON.stringify(latency)})`);
    }
    out.set(`${r.kind}|${r.quant}|${r.mode}|${r.m}|${r.n}|${r.k}|${r.bytes}`, r);
  }
  return out;
}

/** Every timed shape of the device's runs (GEMMs warm and, where timed, cold), each the mean of its runs. */
export function readDeviceRows(dir = DEVICE_DIR): { info: DeviceInfo; rows: DeviceRow[] } {
  const infoPath = join(dir, 'h200-device.json');
  if (!existsSync(infoPath)) throw new ChipdseError(`${infoPath}: device table not found`);
  const info = JSON.parse(readFileSync(infoPath, 'utf8')) as DeviceInfo;
  const runs = DEVICE_RUNS.map((f) => parseRun(dir, f));
  const rows: DeviceRow[] = [];
  for (const [key, r] of runs[0]) {
    const other = runs.slice(1).map((run) => run.get(key)).filter((x) => x !== undefined);
    const times = [r, ...other].map((x) => num(x, 'latency_us') * 1e-6);
    const row: DeviceRow = {
      kind: r.kind as DeviceRow['kind'],
      quant: str(r, 'quant'),
      mode: r.mode as DeviceRow['mode'],
      m: num(r, 'm'),
      n: num(r, 'n'),
      k: num(r, 'k'),
      bytes: num(r, 'bytes'),
      measuredSec: times.reduce((a, b) => a + b, 0) / times.length,
      runSpread: times.length > 1 ? Math.abs(times[0] / times[1] - 1) : NaN,
    };
    rows.push(row);
  }
  return { info, rows };
}

/** The formats the device timed; the tool's steps for a device row: the bare GEMM (no activation quantize was timed), or one memory-bound pass. */
const DEVICE_GEMM_QUANTS = ['bfloat16', 'fp8'];

function gemmPrecision(quant: string) {
  const mode = DEVICE_GEMM_QUANTS.includes(quant) ? GEMM_QUANTS[quant] : undefined;
  if (!mode) throw new ChipdseError(`data/device: field quant: ${quant} is not a GEMM format the check knows (${DEVICE_GEMM_QUANTS.join(', ')})`);
  return mode.p;
}

function deviceSteps(r: DeviceRow): Step[] {
  if (r.kind === 'gemm') return [gemmStep(`gemm ${r.quant}`, r.m, r.k, r.n, gemmPrecision(r.quant))];
  // copy: 1 byte read + 1 written per element (r.bytes counts both); read: bf16 values summed.
  if (r.kind === 'copy') return [{ kind: 'elementwise', name: 'copy', elements: r.bytes / 2, flopsPerElement: 0, bytesPerElement: 2, repeat: 1 }];
  return [{ kind: 'elementwise', name: 'sum', elements: r.bytes / 2, flopsPerElement: 1, bytesPerElement: 2, repeat: 1 }];
}

/** Whether a row's whole working set fits the device's L2, so repeated launches read it from there, not from HBM. */
export function l2Resident(r: DeviceRow, l2Bytes: number): boolean {
  if (r.kind !== 'gemm') return r.bytes <= l2Bytes;
  const b = bytesPerValue(gemmPrecision(r.quant));
  return r.mode === 'warm' && r.m * r.k * b + r.n * r.k * b + r.m * r.n * 2 <= l2Bytes;
}

export interface DeviceGroup extends KernelErrorStats {
  /** gemm bf16, gemm fp8, copy, read. */
  name: string;
  /** Rows left out of the error figures because they run from L2, which the laws do not model. */
  l2Resident: number;
  /** The same figures with the fit made without the H200 (its specifications alone). */
  gpuHeldOut: KernelErrorStats;
  medianRunSpread: number;
}

export interface DeviceCrossCheck {
  /** What is compared: bf16 device / AIConfigurator, or fp8 (device GEMM + their quantize kernels) / their fp8 row. */
  name: string;
  count: number;
  medianRatio: number;
  p10Ratio: number;
  p90Ratio: number;
}

export interface DeviceCalibration {
  info: DeviceInfo;
  groups: DeviceGroup[];
  crossChecks: DeviceCrossCheck[];
  /** The rows with their predictions, for --json. */
  rows: (DeviceRow & { predictedSec: number; predictedGpuHeldOutSec: number; l2Resident: boolean })[];
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

function asKernel(r: DeviceRow): MeasuredKernel {
  return { system: SYSTEM, cls: r.kind === 'gemm' ? 'gemm' : 'elementwise', variant: r.quant, key: `${r.m},${r.n},${r.k},${r.bytes}`, measuredSec: r.measuredSec, steps: () => deviceSteps(r), extraSec: 0 };
}

/** The device rows against the kernel laws, and (with the measured folder) against AIConfigurator's rows of the same shapes. */
export function deviceCalibration(measuredDir: string | undefined, paramsFile = KERNEL_PARAMS_FILE, dir = DEVICE_DIR): DeviceCalibration {
  const { info, rows: all } = readDeviceRows(dir);
  // GEMMs in their L2-cold form where one was timed (weights rotated past the L2, as a model's layers stream them), else warm.
  const cold = new Set(all.filter((r) => r.mode === 'cold').map((r) => `${r.quant}|${r.m}|${r.n}|${r.k}`));
  const rows = all.filter((r) => r.mode !== 'eager' && !(r.kind === 'gemm' && r.mode === 'warm' && cold.has(`${r.quant}|${r.m}|${r.n}|${r.k}`)));
  const file = readKernelParamsFile(paramsFile);
  const base = specificationChip(DESIGN);
  const shipped: Chip = { ...base, kernels: kernelParamsOfSystem(file, SYSTEM) };
  const loo = file.leaveOneOut[SYSTEM];
  const alone: Chip = loo ? { ...base, kernels: loo } : shipped;
  const out: DeviceCalibration['rows'] = rows.map((r) => ({
    ...r,
    predictedSec: predictKernel(asKernel(r), shipped),
    predictedGpuHeldOutSec: predictKernel(asKernel(r), alone),
    l2Resident: l2Resident(r, info.l2_bytes),
  }));
  const groupName = (r: DeviceRow) => (r.kind === 'gemm' ? `gemm ${r.quant === 'bfloat16' ? 'bf16' : r.quant}` : r.kind);
  const names = [...new Set(out.map(groupName))];
  const groups = names.map((name): DeviceGroup => {
    const all = out.filter((r) => groupName(r) === name);
    const used = all.filter((r) => !r.l2Resident);
    return {
      name,
      ...errorStats(used.map((r) => r.predictedSec / r.measuredSec - 1)),
      l2Resident: all.length - used.length,
      gpuHeldOut: errorStats(used.map((r) => r.predictedGpuHeldOutSec / r.measuredSec - 1)),
      medianRunSpread: quantile(sorted(all.map((r) => r.runSpread).filter((x) => !Number.isNaN(x))), 0.5),
    };
  });
  return { info, groups, crossChecks: measuredDir ? crossChecks(measuredDir, all) : [], rows: out };
}

/** The device's GEMMs beside AIConfigurator's H200 rows of the same (quant, m, n, k): warm rows, as their collector reuses its inputs between timings. */
function crossChecks(measuredDir: string, rows: DeviceRow[]): DeviceCrossCheck[] {
  const gemm = readMeasuredTableIfAny(measuredDir, `${SYSTEM}.gemm.csv.gz`);
  const quant = readMeasuredTableIfAny(measuredDir, `${SYSTEM}.quantize.csv.gz`);
  if (!gemm) return [];
  const theirs = new Map<string, number>();
  for (const r of gemm.rows) theirs.set(`${str(r, 'quant')}|${num(r, 'm')}|${num(r, 'n')}|${num(r, 'k')}`, num(r, 'latency_us') * 1e-6);
  const q = new Map<string, number>();
  if (quant) for (const r of quant.rows) q.set(`${str(r, 'op')}|${num(r, 'm')}|${num(r, 'k')}`, num(r, 'latency_us') * 1e-6);
  const warm = rows.filter((r) => r.kind === 'gemm' && r.mode === 'warm');
  const ratios = (quantName: string, extra: (r: DeviceRow) => number | undefined) => {
    const out: number[] = [];
    for (const r of warm.filter((x) => x.quant === quantName)) {
      const t = theirs.get(`${quantName}|${r.m}|${r.n}|${r.k}`);
      const add = extra(r);
      if (t !== undefined && add !== undefined) out.push((r.measuredSec + add) / t);
    }
    return out;
  };
  const bf16 = ratios('bfloat16', () => 0);
  const fp8Bare = ratios('fp8', () => 0);
  const fp8 = ratios('fp8', (r) => {
    const s = q.get(`scale_matrix|${r.m}|${r.k}`);
    const c = q.get(`compute_scale|${r.m}|${r.k}`);
    return s === undefined || c === undefined ? undefined : s + c;
  });
  const eager = rows.filter((r) => r.mode === 'eager').map((r) => {
    const w = warm.find((x) => x.quant === r.quant && x.m === r.m && x.n === r.n && x.k === r.k);
    return w ? r.measuredSec / w.measuredSec : NaN;
  }).filter((x) => !Number.isNaN(x));
  const summary = (name: string, xs: number[]): DeviceCrossCheck => {
    const s = sorted(xs);
    return { name, count: xs.length, medianRatio: quantile(s, 0.5), p10Ratio: quantile(s, 0.1), p90Ratio: quantile(s, 0.9) };
  };
  return [
    summary('bf16 GEMM: device / AIConfigurator', bf16),
    summary('fp8 GEMM alone: device / AIConfigurator fp8 row', fp8Bare),
    summary('fp8 GEMM + their quantize and scale kernels: / AIConfigurator fp8 row', fp8),
    summary('device GEMM, m >= 512: launched eagerly / as a CUDA-graph replay', eager),
  ];
}
