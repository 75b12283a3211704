#!/usr/bin/env node
// Held-out error of the kernel laws against NVIDIA AIConfigurator's measured tables (Apache-2.0).
// Until `chipdse calibrate` prints it:
//   npm run build && node scripts/kernel-calibration.mjs [measured dir] [parameter file]
// defaults: ../shared/reference/measured and the shipped data/kernel-params.json.
import { kernelCalibration, formatKernelCalibration } from '../dist/calibrate/kernel-calibration.js';

const [dir = '../shared/reference/measured', paramsFile] = process.argv.slice(2);
const c = kernelCalibration(dir, { paramsFile, log: (line) => console.error(line) });
console.log(formatKernelCalibration(c));
console.error(`(${c.seconds.toFixed(1)} s)`);
