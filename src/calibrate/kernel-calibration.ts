import type { Chip } from '../chip/chip.js';
import { kernelParamsOfSystem, readKernelParamsFile, KERNEL_PARAMS_FILE } from '../kernels/load.js';
import type { KernelParams } from '../kernels/params.js';
import { prepareKernel, predictPrepared } from './kernel-predict.js';
import { isHeldOut, KERNEL_CLASSES, measuredKernels, type Exclusions, type KernelClassName, type MeasuredKernel } from './kernel-rows.js';
import { MEASURED_SYSTEMS, specificationChip, type MeasuredSystem } from './kernel-tables.js';

/**
 * Held-out error of the kernel laws against the measured tables (NVIDIA AIConfigurator, Apache-2.0):
 * per kernel class, GPU and variant (GEMM lane, KV-cache format, all-reduce implementation), the
 * median and 90th-percentile |predicted / measured - 1| of
 *  - the held-out shapes (one in five, the same on every GPU), timed with the shipped parameters
 *    (the laws fitted on the other shapes of every GPU, with this GPU's own levels); and
 *  - the same held-out shapes, timed with the parameters fitted without that GPU at all (its
 *    specifications alone: the preset's peak rates, units, tile, SRAM, bandwidths and links).
 * Predictions run through the tool's own step model (src/eval/step-cost.ts), as an evaluation does.
 */
export interface KernelErrorStats {
  count: number;
  medianAbsError: number;
  p90AbsError: number;
  /** Median of predicted / measured - 1: the sign says whether the model is fast or slow. */
  medianError: number;
}

export interface KernelCalibrationRow {
  cls: KernelClassName;
  system: MeasuredSystem;
  design: string;
  variant: string;
  heldOutShapes: KernelErrorStats;
  heldOutGpu: KernelErrorStats;
}

export interface KernelCalibration {
  paramsFile: string;
  measuredDir: string;
  rows: KernelCalibrationRow[];
  excluded: Record<string, Exclusions>;
  seconds: number;
}

/** The p-quantile of ascending `sorted` (the element at floor(p n), NaN when empty). */
export function quantile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** Median and 90th percentile of |error|, and the median signed error, of predicted / measured - 1 values. */
export function errorStats(errors: number[]): KernelErrorStats {
  if (errors.length === 0) return { count: 0, medianAbsError: NaN, p90AbsError: NaN, medianError: NaN };
  const abs = errors.map(Math.abs).sort((a, b) => a - b);
  const signed = [...errors].sort((a, b) => a - b);
  return { count: errors.length, medianAbsError: quantile(abs, 0.5), p90AbsError: quantile(abs, 0.9), medianError: quantile(signed, 0.5) };
}

const errorOf = (row: MeasuredKernel, chip: Chip) => predictPrepared(prepareKernel(row, chip), chip) / row.measuredSec - 1;

export interface KernelCalibrationOptions {
  paramsFile?: string;
  systems?: readonly MeasuredSystem[];
  classes?: readonly KernelClassName[];
  log?: (line: string) => void;
}

/** Runs the held-out comparison over the measured folder (shared/reference/measured). */
export function kernelCalibration(measuredDir: string, opts: KernelCalibrationOptions = {}): KernelCalibration {
  const t0 = performance.now();
  const paramsFile = opts.paramsFile ?? KERNEL_PARAMS_FILE;
  const file = readKernelParamsFile(paramsFile);
  const rows: KernelCalibrationRow[] = [];
  const excluded: Record<string, Exclusions> = {};
  for (const { system, design } of MEASURED_SYSTEMS) {
    if (opts.systems && !opts.systems.includes(system)) continue;
    opts.log?.(`checking ${system} ...`);
    const base = specificationChip(design);
    const shipped: Chip = { ...base, kernels: kernelParamsOfSystem(file, system) };
    const loo: KernelParams | undefined = file.leaveOneOut[system];
    const alone: Chip | undefined = loo ? { ...base, kernels: loo } : undefined;
    const { rows: measured, excluded: ex } = measuredKernels(measuredDir, system, base, opts.classes ?? KERNEL_CLASSES);
    excluded[system] = ex;
    const groups = new Map<string, { cls: KernelClassName; variant: string; shapes: number[]; gpu: number[] }>();
    for (const r of measured) {
      const k = `${r.cls}|${r.variant}`;
      let g = groups.get(k);
      if (!g) groups.set(k, (g = { cls: r.cls, variant: r.variant, shapes: [], gpu: [] }));
      if (!isHeldOut(r.key)) continue;
      g.shapes.push(errorOf(r, shipped));
      if (alone) g.gpu.push(errorOf(r, alone));
    }
    for (const g of groups.values()) rows.push({ cls: g.cls, system, design, variant: g.variant, heldOutShapes: errorStats(g.shapes), heldOutGpu: errorStats(g.gpu) });
  }
  const order = (c: KernelClassName) => KERNEL_CLASSES.indexOf(c);
  const sysOrder = (s: MeasuredSystem) => MEASURED_SYSTEMS.findIndex((x) => x.system === s);
  rows.sort((a, b) => order(a.cls) - order(b.cls) || sysOrder(a.system) - sysOrder(b.system) || (a.variant < b.variant ? -1 : a.variant > b.variant ? 1 : 0));
  return { paramsFile, measuredDir, rows, excluded, seconds: (performance.now() - t0) / 1000 };
}
