import type { Chip } from '../chip/chip.js';
import { loadDesign } from '../chip/load.js';
import { ChipdseError } from '../errors.js';
import { collectiveCost, groupShape } from '../interconnect/collectives.js';
import { seconds, si, table } from '../text/format.js';
import { parseQuantity } from '../units/quantity.js';
import { COLLECTIVE_OPS, type CollectiveOp } from '../workload/step.js';
import { defineCommand } from './command.js';
import { print, printJson } from './output.js';

export interface CollectiveReport {
  design: string;
  op: CollectiveOp;
  bytes: number;
  /** Bytes of one row (token) of the buffer; 0: a flat buffer. */
  rowBytes: number;
  chips: number;
  tier: string;
  timeSec: number;
  /** bytes / time: what the caller sees. */
  algorithmBytesPerSec: number;
  /** NCCL's bus bandwidth: algorithm bandwidth x 2(n-1)/n for all-reduce, x (n-1)/n for gathers and all-to-all. */
  busBytesPerSec: number;
  linkBytesPerChip: number;
  energyJPerChip: number;
  groupShape: number[];
}

/** One collective of `bytes` per chip (rows of `rowBytesText`, 0: a flat buffer) over `chips` chips of a design, for checking the model by hand. */
export function collectiveReport(chip: Chip, op: string, bytesText: string | number, chips: number, innerChips = 1, rowBytesText: string | number = 0): CollectiveReport {
  if (!(COLLECTIVE_OPS as readonly string[]).includes(op)) throw new ChipdseError(`--op: expected one of ${COLLECTIVE_OPS.join(', ')}, got "${op}"`);
  const bytes = parseQuantity(bytesText, 'bytes');
  if (bytes === undefined || bytes <= 0) throw new ChipdseError(`--bytes: expected a positive size like "1 GB" or a number of bytes, got "${bytesText}"`);
  if (!Number.isInteger(chips) || chips < 2) throw new ChipdseError(`--chips: expected a whole number of at least 2, got ${chips}`);
  const rowBytes = parseQuantity(rowBytesText, 'bytes');
  if (rowBytes === undefined || rowBytes < 0) throw new ChipdseError(`--row-bytes: expected a size like "16 KiB", a number of bytes or 0, got "${rowBytesText}"`);
  const c = collectiveCost(chip.interconnect, chip.energy.linkPjPerBit, op as CollectiveOp, bytes, chips, innerChips, chip.kernels.collectives, undefined, undefined, chip.kernels.allReduce, rowBytes, chip.cores);
  if ('error' in c) throw new ChipdseError(c.error);
  const factor = op === 'all-reduce' ? (2 * (chips - 1)) / chips : op === 'send' ? 1 : (chips - 1) / chips;
  const alg = bytes / c.timeSec;
  return {
    design: chip.name,
    op: op as CollectiveOp,
    bytes,
    rowBytes,
    chips,
    tier: c.tier,
    timeSec: c.timeSec,
    algorithmBytesPerSec: alg,
    busBytesPerSec: alg * factor,
    linkBytesPerChip: c.linkBytes,
    energyJPerChip: c.energyJ,
    groupShape: chips * innerChips <= chip.interconnect.chipsPerPod ? groupShape(chip.interconnect, chips) : [],
  };
}

export const collectiveVerb = defineCommand({
  command: 'collective',
  describe: 'time one collective of a given size on a design and chip count (to check the model by hand)',
  builder: (y) =>
    y
      .option('design', { alias: 'd', type: 'string', demandOption: true, describe: 'preset name or path to a design file' })
      .option('op', { type: 'string', default: 'all-reduce', describe: 'all-reduce, all-gather, reduce-scatter, all-to-all or send' })
      .option('bytes', { type: 'string', demandOption: true, describe: 'per-chip buffer, e.g. "1 GB"' })
      .option('chips', { type: 'number', demandOption: true, describe: 'chips in the group' })
      .option('row-bytes', { type: 'string', default: '0', describe: 'bytes of one row (token) of the buffer, e.g. 16384 for a bf16 activation 8,192 wide: a one-shot all-reduce gives each row to a core; 0: a flat buffer' })
      .option('inner', { type: 'number', default: 1, describe: 'chips of groups nested inside this one (a data-parallel group over TP8 groups: 8)' })
      .option('json', { type: 'boolean', describe: 'print one JSON object' })
      .example('$0 collective -d h100-sxm --op all-reduce --bytes "1 GB" --chips 8', 'an NCCL-style all-reduce over one HGX node: time and bus bandwidth')
      .example('$0 collective -d a100-sxm --bytes 16384 --row-bytes 16384 --chips 8', 'one token of a model 8,192 wide, tensor-parallel over 8 A100s: a one-shot on one core')
      .example('$0 collective -d tpu7x --op all-to-all --bytes "256 MB" --chips 64 --inner 4', 'an all-to-all over a torus, nested in groups of 4'),
  handler: (a) => {
    const r = collectiveReport(loadDesign(a.design), a.op, a.bytes, a.chips, a.inner, a['row-bytes']);
    if (a.json) return printJson(r);
    print(
      table([
        ['design', r.design],
        ['collective', `${r.op} of ${si(r.bytes, 'B')} per chip over ${r.chips} chips${r.groupShape.length ? ` (laid out ${r.groupShape.join('x')})` : ''}`],
        ['network tier', r.tier],
        ['time', seconds(r.timeSec)],
        ['algorithm bandwidth', si(r.algorithmBytesPerSec, 'B/s')],
        ['bus bandwidth (NCCL)', si(r.busBytesPerSec, 'B/s')],
        ['bytes on links per chip', si(r.linkBytesPerChip, 'B')],
        ['link energy per chip', `${(r.energyJPerChip * 1e3).toPrecision(3)} mJ`],
      ]),
    );
  },
});
