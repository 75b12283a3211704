import type { GemmLane } from './params.js';

/**
 * What a kernel law needs to know about one step, apart from the chip: its class, the work it
 * does and the traffic it causes. Filled by the step model (src/eval/step-cost.ts) from a trace
 * step; nothing in it depends on a fitted parameter, so a fitter can compute it once per
 * measured row and try many parameter sets on it.
 */
export type KernelClass = 'gemm' | 'grouped-gemm' | 'attention-prefill' | 'attention-decode' | 'stream' | 'collective' | 'host';

export interface KernelWork {
  kernel: KernelClass;
  /** The matrix lane (GEMM and grouped GEMM). */
  lane: GemmLane;
  /** Useful MACs, and MACs with the matrix dimensions padded to the tile. */
  macs: number;
  paddedMacs: number;
  /** Independent work items: output tiles (GEMM), query tiles x heads x sequences (prefill), KV items (decode). */
  items: number;
  /** Inner-loop depth: K of a GEMM, the mean context of prefill attention, the KV tokens of each sequence in decode attention. */
  loopDepth: number;
  /** Tile side of the matrix unit running it, and how many such units the chip has. */
  tile: number;
  units: number;
  /** Independent cores of the chip (SMs, TensorCores): what decode attention's work items are spread over. */
  cores: number;
  /** Decode attention: sequences x KV heads, and the K+V bytes each of them reads. */
  kvStreams: number;
  streamBytes: number;
  /** Query rows each KV stream serves (queries x query heads per KV head). */
  groupRows: number;
  /** Decode attention: bytes of the query and output rows one KV stream serves (groupRows x (qkDim + vDim) x activation bytes). */
  rowBytes: number;
  /** Bytes per value of the KV cache read (decode attention lane). */
  kvValueBytes: number;
  /**
   * Decode attention: RoPE runs in a kernel of its own before the grouped-query kernel, so the
   * call pays the fixed time of the path that runs it so (launchSec), not groupedLaunchSec.
   * TensorRT-LLM fuses RoPE into its Hopper XQA kernel (mha_sm90.cu, the one for an fp8 cache)
   * only when rotary_embedding_dim <= head_size (appliesRoPEInXqaKernel, decoderXQAImplJIT/
   * kernelUtils.cpp); otherwise invokeQKVPreprocessing runs first (decoderXQARunner.cpp). True
   * when the step's ropeDim exceeds its qkDim.
   */
  separateRope: boolean;
  vectorFlops: number;
  sram: number;
  hbm: number;
  dram: number;
}

export function newWork(): KernelWork {
  return { kernel: 'stream', lane: 'bf16', macs: 0, paddedMacs: 0, items: 0, loopDepth: 0, tile: 1, units: 1, cores: 1, kvStreams: 0, streamBytes: 0, groupRows: 0, rowBytes: 0, kvValueBytes: 2, separateRope: false, vectorFlops: 0, sram: 0, hbm: 0, dram: 0 };
}

/** Resets `w` to an empty memory-bound step. */
export function clearWork(w: KernelWork): void {
  w.kernel = 'stream';
  w.lane = 'bf16';
  w.macs = 0;
  w.paddedMacs = 0;
  w.items = 0;
  w.loopDepth = 0;
  w.tile = 1;
  w.units = 1;
  w.cores = 1;
  w.kvStreams = 0;
  w.streamBytes = 0;
  w.groupRows = 0;
  w.rowBytes = 0;
  w.kvValueBytes = 2;
  w.separateRope = false;
  w.vectorFlops = 0;
  w.sram = 0;
  w.hbm = 0;
  w.dram = 0;
}
