import { calibrate } from '../calibrate/calibrate.js';
import { calibrateServing } from '../calibrate/serving-calibrate.js';
import { formatCalibration } from '../text/calibration.js';
import { formatServingCalibration } from '../text/serving-calibration.js';
import { defineCommand } from './command.js';
import { print, printJson } from './output.js';

export const calibrateVerb = defineCommand({
  command: 'calibrate',
  describe: 'run the model on published measurements and print predicted vs measured',
  builder: (y) =>
    y
      .option('json', { type: 'boolean', describe: 'print the points (design, measured, predicted, error, role) and the summary as one JSON object' })
      .example('$0 calibrate', 'the model against published GEMM, copy and training measurements')
      .example('$0 calibrate --json | jq .summary', 'the error summary only'),
  handler: (a) => {
    const s = calibrate();
    const serving = calibrateServing();
    if (a.json) printJson({ ...s, serving });
    else print(`${formatCalibration(s)}\n\n${formatServingCalibration(serving)}`);
  },
});
