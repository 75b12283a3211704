import type { KernelCalibration } from '../calibrate/kernel-calibration.js';
import { table } from './format.js';

const pct = (x: number) => (Number.isNaN(x) ? '-' : `${(x * 100).toFixed(1)}%`);

/** The kernel table as text: one line per class, GPU and variant. */
export function formatKernelCalibration(c: KernelCalibration): string {
  const head = ['class', 'gpu', 'variant', 'held-out shapes: n', 'median', 'p90', 'bias', 'gpu held out: n', 'median', 'p90', 'bias'];
  const body = c.rows.map((r) => [
    r.cls,
    r.system,
    r.variant,
    String(r.heldOutShapes.count),
    pct(r.heldOutShapes.medianAbsError),
    pct(r.heldOutShapes.p90AbsError),
    pct(r.heldOutShapes.medianError),
    String(r.heldOutGpu.count),
    pct(r.heldOutGpu.medianAbsError),
    pct(r.heldOutGpu.p90AbsError),
    pct(r.heldOutGpu.medianError),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((x, i) => (i < 3 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join('  ').trimEnd();
  return [
    'kernel laws against measured GPU kernels (NVIDIA AIConfigurator data, Apache-2.0): |predicted / measured - 1|',
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...body.map(line),
    '',
    'held-out shapes: one shape in five on every GPU, timed with the shipped fit (data/kernel-params.json, fitted on the other shapes);',
    'gpu held out: the same shapes, timed with the fit made without that GPU (leaveOneOut in that file). bias: median signed error (+ = model slower).',
  ].join('\n');
}

/**
 * The kernel table in brief: one line per class and variant, one column per GPU (in the rows'
 * order), each cell the median |error| in % on held-out shapes and, in brackets, with that GPU held
 * out of the fit.
 */
export function formatKernelCalibrationSummary(c: KernelCalibration): string {
  const systems: string[] = [];
  const keys: string[] = [];
  for (const r of c.rows) {
    if (!systems.includes(r.system)) systems.push(r.system);
    if (!keys.includes(`${r.cls} ${r.variant}`)) keys.push(`${r.cls} ${r.variant}`);
  }
  const p = (x: number) => (Number.isNaN(x) ? '-' : (x * 100).toFixed(1));
  const cell = (key: string, s: string) => {
    const r = c.rows.find((x) => `${x.cls} ${x.variant}` === key && x.system === s);
    return r ? `${p(r.heldOutShapes.medianAbsError)} (${p(r.heldOutGpu.medianAbsError)})` : '-';
  };
  return [
    'kernels: median |predicted / measured - 1| in %, held-out shapes (GPU held out of the fit), NVIDIA AIConfigurator kernel tables (Apache-2.0)',
    table(keys.map((k) => [k, ...systems.map((s) => cell(k, s))]), ['kernel', ...systems]),
  ].join('\n');
}
