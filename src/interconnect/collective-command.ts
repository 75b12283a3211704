import { ChipdseError } from '../errors.js';
import type { Chip } from '../chip/chip.js';
import { parseQuantity } from '../units/quantity.js';
import { COLLECTIVE_OPS, type CollectiveOp } from '../workload/step.js';
import { collectiveCost, groupShape } from './collectives.js';

export interface CollectiveReport {
  design: string;
  op: CollectiveOp;
  bytes: number;
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

/** One collective of `bytes` per chip over `chips` chips of a design, for checking the model by hand. */
export function collectiveReport(chip: Chip, op: string, bytesText: string | number, chips: number, innerChips = 1): CollectiveReport {
  if (!(COLLECTIVE_OPS as readonly string[]).includes(op)) throw new ChipdseError(`--op: expected one of ${COLLECTIVE_OPS.join(', ')}, got "${op}"`);
  const bytes = parseQuantity(bytesText, 'bytes');
  if (bytes === undefined || bytes <= 0) throw new ChipdseError(`--bytes: expected a positive size like "1 GB" or a number of bytes, got "${bytesText}"`);
  if (!Number.isInteger(chips) || chips < 2) throw new ChipdseError(`--chips: expected a whole number of at least 2, got ${chips}`);
  const c = collectiveCost(chip.interconnect, chip.energy.linkPjPerBit, op as CollectiveOp, bytes, chips, innerChips, chip.kernels.collectives);
  if ('error' in c) throw new ChipdseError(c.error);
  const factor = op === 'all-reduce' ? (2 * (chips - 1)) / chips : op === 'send' ? 1 : (chips - 1) / chips;
  const alg = bytes / c.timeSec;
  return {
    design: chip.name,
    op: op as CollectiveOp,
    bytes,
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
