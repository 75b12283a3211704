/**
 * How the evaluator divides a chip's SRAM. Half of it is the working set of a matrix product: the
 * output-stationary tile and its operand panels. The other half prefetches the next operands, or
 * holds weights resident across steps: weights that fit in it are read from SRAM, never from HBM
 * (eval/memory.ts). A modelling assumption (double buffering), stated, not a measurement.
 */
export const SRAM_WORKING_FRACTION = 0.5;

/** Side T of the square output tile whose fp32 accumulators and operand panels fill the working SRAM: 8 T^2 bytes. */
export function outputTileSide(sramBytes: number): number {
  return Math.max(1, Math.floor(Math.sqrt((sramBytes * SRAM_WORKING_FRACTION) / 8)));
}

/** SRAM left for weights resident across steps: what the working set does not use. */
export function residentWeightsSramBytes(sramBytes: number): number {
  return sramBytes * (1 - SRAM_WORKING_FRACTION);
}
