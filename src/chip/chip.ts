import type { FormatName, ScaleFormat } from '../precision/formats.js';
import type { KernelParams } from '../kernels/params.js';
import type { PackageType, ProcessNode, Topology } from './names.js';

/** A validated design in base units, with its technology figures resolved. What the evaluator reads. */
export interface Chip {
  name: string;
  notes: string;
  processNode: ProcessNode;
  tdpW: number | undefined;
  dies: number;
  publishedDieAreaMm2: number | undefined;
  clockHz: number;
  /** Supply voltage: the nominal clock, the voltage the clock needs over nominal, and the most the process allows. */
  voltage: { nominalClockHz: number; ratio: number; maxRatio: number };
  matrixUnits: MatrixUnit[];
  /** Peak MACs/s per format the chip computes natively, all units together. */
  peakMacsPerSec: Partial<Record<FormatName, number>>;
  /** Operand tile side per format, from the fastest unit supporting it. */
  tileDim: Partial<Record<FormatName, number>>;
  /** How many of that fastest unit the chip has, per format: the slots a kernel's tiles fill in waves. */
  unitCount: Partial<Record<FormatName, number>>;
  /** Independent cores (SMs, TensorCores, CUs): what a decode-attention read is split over (compute.cores). */
  cores: number;
  vectorFlopsPerSec: number;
  blockScaling: { blockSizes: number[]; scaleBits: number } | undefined;
  sramBytes: number;
  sramBytesPerSec: number;
  hbmStacks: number;
  hbmBytes: number;
  hbmBytesPerSec: number;
  dramBytes: number;
  dramBytesPerSec: number;
  ecc: boolean;
  interconnect: Interconnect;
  /**
   * The kernel-law parameters this chip is timed with: data/kernel-params.json (fitted on measured
   * GPU kernels) with the design's `kernels` overrides applied. See src/kernels/.
   */
  kernels: KernelParams;
  /**
   * Summary figures of those laws, for charts and reports only (the evaluator uses `kernels`):
   * the bf16 GEMM main-loop efficiency, the streaming HBM efficiency and the ring bus efficiency.
   */
  efficiency: { matrix: number; memory: number; interconnect: number; source: string | undefined };
  reliability: { chipFit: number; memoryFitPerMbit: number };
  energy: EnergyFigures;
  area: AreaBreakdown;
  package: PackageLayout;
  cost: CostBreakdown;
  /** What a buyer pays for the chip and what comes with it, for the total cost of ownership. */
  tco: ChipTco;
}

/** The 2.5D package: its type, its interposer, and I/O dies beside or under the compute dies. */
export interface PackageLayout {
  type: PackageType;
  interposerMm2: number;
  /** The largest interposer the package type makes. */
  maxInterposerMm2: number;
  ioDies: { count: number; areaMm2: number; processNode: ProcessNode } | undefined;
  /** Compute dies bonded on top of the I/O dies (3D): they take no interposer area. */
  computeStacked: boolean;
}

export interface ChipTco {
  chipPriceUsd: number;
  /** Where the price came from: given in the design, or manufacturing cost over (1 - margin). */
  priceFrom: 'design' | 'margin';
  grossMargin: number;
  serverUsdPerChip: number;
  networkShare: number;
  hostPowerRatio: number;
}

export interface MatrixUnit {
  name: string;
  count: number;
  macsPerCycle: Partial<Record<FormatName, number>>;
  tileDim: number;
}

export interface Interconnect {
  topology: Topology;
  /** Chips per dimension of the pod's torus or mesh; [chipsPerPod] for ring/switch. */
  shape: number[];
  linksPerChip: number;
  linkBytesPerSec: number;
  linkLatencySec: number;
  chipsPerPod: number;
  /** Ring bus efficiency of the kernel laws (kernels.collectives.ring), for the cross-site link, which has no law of its own. */
  efficiency: number;
  /** The pod's switch reduces in-network (NVLink SHARP style): all-reduce may use the in-switch algorithm. */
  inSwitchReduction: boolean;
  scaleOut: { bytesPerSec: number; latencySec: number; pjPerBit: number } | undefined;
  crossSite: { bytesPerSec: number; latencySec: number; pjPerBit: number } | undefined;
}

export interface EnergyFigures {
  pjPerMac: Record<FormatName, number>;
  /** pJ of one block-scale step per scale format (E8M0: exponent add; E4M3: multiplies; then the fp32 accumulate), shared by a block's MACs. */
  blockScaleStepPj: Record<ScaleFormat, number>;
  vectorPjPerFlop: number;
  sramPjPerByte: number;
  hbmPjPerByte: number;
  dramPjPerByte: number;
  linkPjPerBit: number;
  staticW: number;
}

export interface AreaBreakdown {
  matrixMm2: number;
  blockScalingMm2: number;
  vectorMm2: number;
  sramMm2: number;
  hbmPhyMm2: number;
  linkPhyMm2: number;
  uncoreMm2: number;
  /** All compute dies together (I/O dies are counted in package.ioDies). */
  totalMm2: number;
  perDieMm2: number;
}

export interface CostBreakdown {
  diesPerWafer: number;
  dieYield: number;
  /** Compute dies. */
  diesUsd: number;
  ioDiesUsd: number;
  hbmUsd: number;
  dramUsd: number;
  /** Interposer, substrate and assembly, by interposer area. */
  packagingUsd: number;
  /** Share of assembled packages that work: every bonded die and stack must. */
  assemblyYield: number;
  /** What the packages scrapped in assembly cost, spread over the good ones. */
  assemblyLossUsd: number;
  /** Manufacturing cost of one chip: package with everything on it, assembly losses, DRAM. */
  totalUsd: number;
}
