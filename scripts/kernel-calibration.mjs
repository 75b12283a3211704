#!/usr/bin/env node
// Held-out error of the kernel laws against NVIDIA AIConfigurator's measured tables (Apache-2.0).
// Until `chipdse calibrate` prints it:
//   npm run build && node scripts/kernel-calibration.mjs [measured dir] [parameter file] [--full]
// defaults: ../shared/reference/measured and the shipped data/kernel-params.json; --full prints
// the p90 and the bias of every class, GPU and variant.
import { formatKernelCalibration, formatKernelCalibrationSummary, kernelCalibration } from '../dist/calibrate/kernel-calibration.js';

const args = process.argv.slice(2);
const full = args.includes('--full');
const [dir = '../shared/reference/measured', paramsFile] = args.filter((a) => a !== '--full');
const c = kernelCalibration(dir, { paramsFile, log: (line) => console.error(line) });
console.log(full ? formatKernelCalibration(c) : formatKernelCalibrationSummary(c));
console.error(`(${c.seconds.toFixed(1)} s)`);
