import type { DeviceCalibration } from '../calibrate/device-table.js';
import { table } from './format.js';

const pct = (x: number) => (Number.isNaN(x) ? '-' : `${(x * 100).toFixed(1)}%`);
const signed = (x: number) => (Number.isNaN(x) ? '-' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`);
const ratio = (x: number) => (Number.isNaN(x) ? '-' : x.toFixed(2));

/** chipdse's own H200 timings against the kernel laws, and beside AIConfigurator's rows of the same shapes. */
export function formatDeviceCalibration(c: DeviceCalibration): string {
  const i = c.info;
  const lines = [
    `device check: chipdse's own timings on a lent ${i.device} (${i.sms} SMs, ${(i.l2_bytes / 2 ** 20).toFixed(0)} MiB L2; ${i.date_utc} UTC, torch ${i.torch}, CUDA ${i.cuda}; data/device/, bench/device/h200_kernels.py), |predicted / measured - 1|, none of it used in the fit`,
    table(
      c.groups.map((g) => [g.name, String(g.count), String(g.l2Resident), pct(g.medianAbsError), pct(g.p90AbsError), signed(g.medianError), pct(g.gpuHeldOut.medianAbsError), signed(g.gpuHeldOut.medianError), pct(g.medianRunSpread)]),
      ['kernel', 'rows', 'L2-resident (left out)', 'median', 'p90', 'bias', 'gpu held out: median', 'bias', 'run-to-run'],
    ),
  ];
  if (c.crossChecks.length > 0) {
    lines.push(
      '',
      'the same shapes beside AIConfigurator\'s H200 rows (time ratio; 1.00 = the same):',
      table(c.crossChecks.map((x) => [x.name, String(x.count), ratio(x.medianRatio), `${ratio(x.p10Ratio)}-${ratio(x.p90Ratio)}`]), ['comparison', 'shapes', 'median', 'p10-p90']),
    );
  }
  return lines.join('\n');
}
