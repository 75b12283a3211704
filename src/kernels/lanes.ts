import { FORMATS, type FormatName } from '../precision/formats.js';
import type { GemmLane } from './params.js';

/**
 * The GEMM lane whose fitted parameters time a matrix product in `format`, with block-scaled
 * operands or not. Measured lanes: bf16, fp8 with a per-tensor scale, fp8 with 1x128/128x128 block
 * scales, NVFP4 (fp4 with a scale per 16), and int8 (A100 SmoothQuant). Others borrow the nearest
 * measured lane: fp16 and fp32 the bf16 lane (fp16 runs on the same array; fp32 is not measured),
 * every integer format the int8 lane, fp4 and narrower floats the fp4_block lane.
 */
export function gemmLane(format: FormatName, blockScaled: boolean): GemmLane {
  const f = FORMATS[format];
  if (f.kind === 'int') return 'int8';
  if (f.bits >= 16) return 'bf16';
  if (f.bits === 8) return blockScaled ? 'fp8_block' : 'fp8';
  return 'fp4_block';
}
