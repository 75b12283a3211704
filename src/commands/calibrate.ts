import { calibrate } from '../calibrate/calibrate.js';
import { calibrateServing } from '../calibrate/serving-calibrate.js';
import { formatCalibration } from '../text/calibration.js';
import { formatServingCalibration } from '../text/serving-calibration.js';
import { defineCommand } from './command.js';
import { print, printJson } from './output.js';

export const calibrateVerb = defineCommand({
  command: 'calibrate',
  describe: 'run the model on published measurements and print predicted vs measured',
  builder: (y) => y.option('json', { type: 'boolean' }),
  handler: (a) => {
    const s = calibrate();
    const serving = calibrateServing();
    if (a.json) printJson({ ...s, serving });
    else print(`${formatCalibration(s)}\n\n${formatServingCalibration(serving)}`);
  },
});
