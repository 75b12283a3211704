/**
 * Reliability of large systems: interruptions, memory errors, checkpointing and goodput.
 *
 * Defaults and their sources:
 * - CHIP_FIT 19,700 interruptions per 1e9 chip-hours: Llama 3 pre-training saw 419 unexpected
 *   interruptions in 54 days on 16,384 H100s (Llama 3 paper, arXiv 2407.21783, sec. 3.3.4 and
 *   Table 5), 419 / (16,384 x 54 x 24 h) = 1.97e-5 per GPU-hour. Everything that stopped the job is
 *   in it (GPUs 30%, HBM 17%, hosts, network, software), which is what a pod's interruption rate is.
 * - MEMORY_FIT_PER_MBIT 25,000 errors per 1e9 device-hours per Mbit: the low end of the DRAM field
 *   study of Schroeder, Pinheiro and Weber, "DRAM errors in the wild", SIGMETRICS 2009 (25,000-70,000,
 *   mostly from hard faults that err again and again). With SEC-DED ECC they are corrected, and the
 *   ones ECC cannot correct are already among the chip interruptions above (HBM3 was 17% of Llama 3's).
 *   Without ECC each one silently corrupts data, and a training run must roll back to a checkpoint:
 *   it counts as an interruption.
 */
export const CHIP_FIT = 19700;
export const MEMORY_FIT_PER_MBIT = 25000;

export interface ReliabilityFigures {
  /** Mean time between interruptions of the whole system, hours. */
  interruptionIntervalHours: number;
  /** Raw memory bit errors per chip-day in the used HBM. */
  memoryErrorsPerChipDay: number;
  /** Silent data corruptions per day over the system (0 with ECC). */
  silentCorruptionsPerDay: number;
}

/** Interruptions come from chip failures and, without ECC, from every memory error. */
export function reliabilityFigures(p: { chips: number; chipFit: number; memoryFitPerMbit: number; memoryBytesPerChip: number; ecc: boolean }): ReliabilityFigures {
  const mbit = (p.memoryBytesPerChip * 8) / 1e6;
  const memFitPerChip = p.memoryFitPerMbit * mbit;
  const interruptFitPerChip = p.chipFit + (p.ecc ? 0 : memFitPerChip);
  const systemFit = interruptFitPerChip * p.chips;
  return {
    interruptionIntervalHours: systemFit > 0 ? 1e9 / systemFit : Number.MAX_VALUE,
    memoryErrorsPerChipDay: (memFitPerChip * 24) / 1e9,
    silentCorruptionsPerDay: p.ecc ? 0 : (memFitPerChip * 24 * p.chips) / 1e9,
  };
}

export interface Goodput {
  /** Checkpoint interval that minimizes lost time, seconds (Daly 2006 first order: sqrt(2 delta M) - delta, at least delta). */
  checkpointIntervalSec: number;
  /** Fraction of wall time that advances training. */
  goodput: number;
}

/**
 * Young/Daly: with checkpoint write time delta, mean time between interruptions M and restart
 * time R, checkpointing every tau loses delta/tau to writing and, per interruption, R plus on
 * average tau/2 of recomputation: lost = delta/tau + (R + tau/2)/M. Young, CACM 1974; Daly,
 * FGCS 22(3) 2006.
 */
export function goodputOf(checkpointSec: number, restartSec: number, mtbiSec: number): Goodput {
  if (!(mtbiSec > 0) || mtbiSec >= Number.MAX_VALUE / 2) return { checkpointIntervalSec: 0, goodput: 1 };
  const tau = Math.max(checkpointSec, Math.sqrt(2 * checkpointSec * mtbiSec) - checkpointSec);
  const lost = (tau > 0 ? checkpointSec / tau : 0) + (restartSec + tau / 2) / mtbiSec;
  return { checkpointIntervalSec: tau, goodput: Math.max(0, 1 - lost) };
}
