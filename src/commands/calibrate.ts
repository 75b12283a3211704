import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { calibrate } from '../calibrate/calibrate.js';
import { deviceCalibration } from '../calibrate/device-table.js';
import { kernelCalibration } from '../calibrate/kernel-calibration.js';
import { fitKernelParams } from '../calibrate/kernel-fit.js';
import { DEFAULT_MEASURED_DIR } from '../calibrate/kernel-tables.js';
import { calibrateServing } from '../calibrate/serving-calibrate.js';
import { KERNEL_PARAMS_FILE } from '../kernels/load.js';
import { formatCalibration } from '../text/calibration.js';
import { formatDeviceCalibration } from '../text/device-calibration.js';
import { formatKernelCalibration, formatKernelCalibrationSummary } from '../text/kernel-calibration.js';
import { formatServingCalibration } from '../text/serving-calibration.js';
import { defineCommand, UsageError } from './command.js';
import { checkOutputPath, print, printJson, writeOutput } from './output.js';

/** A folder as the user reads it: relative to the working folder when it is below it. */
const shown = (dir: string) => (relative(process.cwd(), dir).startsWith('..') ? dir : relative(process.cwd(), dir) || '.');

export const calibrateVerb = defineCommand({
  command: 'calibrate',
  describe: 'run the model on published measurements and print predicted vs measured: end-to-end points, serving rows, (with the measured tables) the kernel laws, and chipdse\'s own H200 kernel timings; --fit refits the kernel laws',
  builder: (y) =>
    y
      .option('json', { type: 'boolean', describe: 'print one JSON object (end-to-end, serving and, with the measured tables, kernels)' })
      .option('full', { type: 'boolean', describe: 'the kernel table in full: every class, GPU and variant with its count, median, p90 and bias' })
      .option('measured', { type: 'string', describe: `folder of the measured GPU kernel tables (NVIDIA AIConfigurator data; default ${shown(DEFAULT_MEASURED_DIR)})` })
      .option('fit', { type: 'boolean', describe: 'fit the kernel laws to the measured tables and write the parameter file (deterministic; minutes)' })
      .option('out', { type: 'string', describe: `with --fit: the parameter file to write (default ${shown(KERNEL_PARAMS_FILE)})` })
      .example('$0 calibrate', 'the end-to-end, serving and kernel tables')
      .example('$0 calibrate --full --measured ../shared/reference/measured', 'every kernel class, GPU and variant, from the tables in that folder')
      .example('$0 calibrate --json > calibration.json', 'everything as JSON')
      .example('$0 calibrate --fit --out /tmp/kernel-params.json', 'refit the kernel laws; compare with data/kernel-params.json')
      .check((a) => {
        if (a.out !== undefined && !a.fit) throw new UsageError('--out names the parameter file --fit writes; give --fit with it');
        if (a.fit && (a.full || a.json)) throw new UsageError('--fit writes the parameter file; it does not go with --full or --json');
        return true;
      }),
  handler: (a) => {
    const measuredDir = a.measured ?? DEFAULT_MEASURED_DIR;
    const haveTables = existsSync(measuredDir);
    if (a.measured !== undefined && !haveTables) throw new UsageError(`--measured ${a.measured}: no such folder`);
    if (a.fit) {
      if (!haveTables) throw new UsageError(`--fit needs the measured kernel tables; none at ${shown(measuredDir)} (give --measured DIR)`);
      const out = a.out ?? KERNEL_PARAMS_FILE;
      checkOutputPath(out);
      const fitted = fitKernelParams(measuredDir, (line) => process.stderr.write(`${line}\n`));
      writeOutput(out, fitted.text, { makeFolder: false });
      print(`wrote ${out} in ${fitted.seconds.toFixed(1)} s`);
      return;
    }
    const s = calibrate();
    const serving = calibrateServing();
    const kernels = haveTables ? kernelCalibration(measuredDir) : undefined;
    const device = deviceCalibration(haveTables ? measuredDir : undefined);
    if (a.json) {
      printJson({ ...s, serving, kernels: kernels ?? null, device });
      return;
    }
    const kernelText = kernels
      ? a.full
        ? formatKernelCalibration(kernels)
        : formatKernelCalibrationSummary(kernels)
      : `kernels: the kernel table needs the measured kernel tables; none at ${shown(measuredDir)} (give --measured DIR)`;
    print(`${formatCalibration(s)}\n\n${formatServingCalibration(serving)}\n\n${kernelText}\n\n${formatDeviceCalibration(device)}`);
  },
});
