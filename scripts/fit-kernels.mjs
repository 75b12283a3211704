#!/usr/bin/env node
// Fits the kernel-law parameters to NVIDIA AIConfigurator's measured tables (Apache-2.0) and writes
// the parameter file the tool loads. Until the CLI has a verb for it:
//   npm run build && node scripts/fit-kernels.mjs [measured dir] [output file]
// defaults: ../shared/reference/measured and data/kernel-params.json.
import { fitKernels } from '../dist/calibrate/kernel-fit.js';

const [dir = '../shared/reference/measured', out = 'data/kernel-params.json'] = process.argv.slice(2);
const r = fitKernels(dir, out, (line) => console.error(line));
console.log(`wrote ${r.file} in ${r.seconds.toFixed(1)} s`);
