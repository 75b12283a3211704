import { z } from 'zod';
import { FORMAT_NAMES, BLOCK_SIZES } from '../precision/formats.js';
import { quantity, positive, positiveInt, fraction } from '../io/schema-helpers.js';
import { HBM_GENERATIONS, PACKAGE_TYPES, PROCESS_NODES, TOPOLOGIES } from './names.js';
import { CHIP_FIT, MEMORY_FIT_PER_MBIT } from '../reliability/reliability.js';
import { designKernelsSchema } from '../kernels/schema.js';

/**
 * The design file: a chip, its memories, its links and the technology figures its cost
 * model uses. Keys carry units (`bytes`, `bytesPerSec`, `clockHz`, `latencySec`); values may
 * be plain numbers in those units or strings such as "80 GB". Unknown keys are errors.
 */

export { TOPOLOGIES, PROCESS_NODES, type Topology, type ProcessNode } from './names.js';

const formatKey = z.enum(FORMAT_NAMES);
const macsPerCycleByFormat = z
  .partialRecord(formatKey, positiveInt(1e9))
  .refine((r) => Object.keys(r).length > 0, { message: 'expected at least one format with its MACs per cycle' })
  .meta({ description: 'MACs per cycle of one unit, per number format it supports (e.g. {"bf16": 512, "fp8_e4m3": 1024})' });

export const matrixUnitSchema = z.strictObject({
  name: z.string().min(1).optional(),
  count: positiveInt(1e7, 'how many such units the chip has'),
  macsPerCycle: macsPerCycleByFormat,
  tileDim: positiveInt(4096, 'rows/columns of the operand tile a unit holds: each operand byte read from SRAM feeds this many MACs; matrix dimensions are padded to it').optional(),
});

export const vectorUnitSchema = z.strictObject({
  flopsPerCycle: positiveInt(1e9, 'fp32 FLOPs per cycle of the whole chip vector/SIMD datapath (an FMA counts 2)'),
});

export const blockScalingSchema = z.strictObject({
  blockSizes: z.array(z.union(BLOCK_SIZES.map((b) => z.literal(b)))).min(1).meta({ description: 'block sizes with hardware scale support' }),
  scaleBits: positiveInt(32, 'bits of each shared scale (8 for the MX E8M0 scale)').default(8),
});

const energyOverrides = z.strictObject({
  pjPerMac: z.partialRecord(formatKey, positive(1e3)).optional(),
  macOverheadFactor: positive(100, 'datapath energy beyond the arithmetic (operand registers, array wiring, clock) as a multiplier').optional(),
  vectorPjPerFlop: positive(1e3).optional(),
  sramPjPerByte: positive(1e4).optional(),
  hbmPjPerByte: positive(1e5).optional(),
  dramPjPerByte: positive(1e5).optional(),
  linkPjPerBit: positive(1e3).optional(),
  staticWPerMm2: positive(10).optional(),
  voltageSlopeAbove: z.number().min(0).max(10).optional().meta({ description: 'supply voltage rise per unit of clock above nominal, both as ratios to nominal (default 0.92)' }),
  voltageSlopeBelow: z.number().min(0).max(10).optional().meta({ description: 'supply voltage fall per unit of clock below nominal, both as ratios to nominal (default 0.41)' }),
  minVoltageRatio: z.number().min(0.1).max(1).optional().meta({ description: 'lowest supply voltage as a ratio to nominal (default 0.83)' }),
  maxVoltageRatio: z.number().min(1).max(3).optional().meta({ description: 'highest supply voltage as a ratio to nominal; a clock needing more makes the design infeasible (default 1.3)' }),
});

const areaOverrides = z.strictObject({
  mm2PerMac: z.partialRecord(formatKey, positive(1)).optional(),
  vectorMm2PerFlopPerCycle: positive(1).optional(),
  sramMm2PerMiB: positive(100).optional(),
  hbmPhyMm2: positive(500).optional(),
  linkPhyMm2: positive(100).optional(),
  uncoreFraction: z.number().min(0).max(0.9).optional(),
});

const costOverrides = z.strictObject({
  waferUsd: positive(1e6).optional(),
  defectsPerCm2: positive(10).optional(),
  clusteringAlpha: positive(100).optional(),
  hbmUsdPerGB: positive(1e4).optional(),
  dramUsdPerGB: positive(1e4).optional(),
  interposerUsdPerMm2: positive(1e3, 'package cost per mm2 of interposer (interposer, substrate and assembly); default by package type').optional(),
  hbmFootprintMm2: positive(1e3, 'interposer area one HBM stack takes').optional(),
  assemblyYieldPerPart: z.number().gt(0).max(1).optional().meta({ description: 'share of bonds of one die or HBM stack to the interposer that succeed; a failed one scraps the package with everything on it (default 0.99)' }),
});

/** The package: its type, and I/O dies beside (or under) the compute dies. */
export const packageSchema = z.strictObject({
  type: z.enum(PACKAGE_TYPES).optional().meta({ description: 'cowos-s (silicon interposer, up to 3.3 reticles) or cowos-l (bridges, up to 5.5); default: the cheaper one that holds the interposer' }),
  ioDies: z
    .strictObject({
      count: positiveInt(64, 'I/O dies in the package'),
      areaMm2: positive(1e4, 'area of one I/O die, as published'),
      processNode: z.enum(PROCESS_NODES),
      sramBytes: quantity('bytes', { max: 1e12, allowZero: true }).default(0).meta({ description: 'the part of memory.sram on the I/O dies (a last-level cache); the compute dies hold the rest' }),
      hbmPhys: z.boolean().default(true).meta({ description: 'the HBM PHYs are on the I/O dies, not the compute dies' }),
      linkPhys: z.boolean().default(true).meta({ description: 'the chip-to-chip link PHYs are on the I/O dies' }),
      computeStacked: z.boolean().default(false).meta({ description: 'the compute dies are bonded on top of the I/O dies (3D), taking no interposer area of their own' }),
    })
    .optional()
    .meta({ description: 'I/O dies (e.g. MI300X: 4 on N6 under 8 compute dies): their silicon is costed at their own node, and what they hold leaves the compute dies' }),
});

/** What the chip costs its buyer and what comes with it per chip, for the total cost of ownership. */
export const tcoSchema = z.strictObject({
  chipPriceUsd: positive(1e7, 'what one chip costs its buyer; default: manufacturing cost / (1 - grossMargin)').optional(),
  grossMargin: z.number().min(0).lt(1).optional().meta({ description: 'the seller\'s gross margin on the chip (default 0.75)' }),
  serverUsdPerChip: z.number().min(0).max(1e7).optional().meta({ description: 'host, memory, NICs, chassis per chip (default $4,000)' }),
  networkShare: z.number().min(0).lt(1).optional().meta({ description: 'share of the cluster\'s capital cost that is its scale-out network (default 0.19)' }),
  hostPowerRatio: z.number().min(0).max(10).optional().meta({ description: 'server power beside the chip per watt of chip power: CPUs, NICs, switches, fans (default 0.82)' }),
});

export const designSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().min(1).max(200),
  notes: z.string().optional().meta({ description: 'sources of the figures, and derivations of those that are not published' }),
  processNode: z.enum(PROCESS_NODES),
  tdpW: quantity('watts', { max: 1e5 }).optional().meta({ description: 'power limit; a step whose power would exceed it is slowed to fit (bound "power")' }),
  dies: positiveInt(64, 'logic dies in the package; each must be within the reticle limit').default(1),
  publishedDieAreaMm2: positive(1e5, 'total published logic die area, for comparison with the modelled area').optional(),
  compute: z.strictObject({
    clockHz: quantity('hertz', { max: 2e10 }),
    nominalClockHz: quantity('hertz', { max: 2e10 })
      .optional()
      .meta({ description: 'the clock at the nominal supply voltage: a clock above it needs more voltage (logic energy per operation x V^2), below it less, down to a floor (technology.energy voltage figures). Absent: clockHz is nominal' }),
    matrixUnits: z.array(matrixUnitSchema).min(1),
    cores: positiveInt(1e7, 'independent cores that each run their own work items (GPU streaming multiprocessors, TPU TensorCores, AMD compute units): the parallelism a memory-bound decode-attention read is split over. Default: every unit of the largest matrix unit is its own core')
      .optional(),
    vectorUnit: vectorUnitSchema,
    blockScaling: blockScalingSchema.optional(),
  }),
  memory: z.strictObject({
    sram: z.strictObject({
      bytes: quantity('bytes', { max: 1e12 }),
      bytesPerSec: quantity('bytesPerSec', { max: 1e17 }),
    }),
    hbm: z.strictObject({
      generation: z.enum(HBM_GENERATIONS).meta({ description: 'sets the default energy per byte, price per GB and PHY area' }),
      stacks: positiveInt(64),
      bytes: quantity('bytes', { max: 1e14 }),
      bytesPerSec: quantity('bytesPerSec', { max: 1e15 }),
    }),
    dram: z
      .strictObject({
        bytes: quantity('bytes', { max: 1e15 }),
        bytesPerSec: quantity('bytesPerSec', { max: 1e14 }),
      })
      .optional()
      .meta({ description: 'optional slower tier (host DRAM or LPDDR) for what does not fit in HBM' }),
    ecc: z.boolean().default(true),
  }),
  interconnect: z.strictObject({
    topology: z.enum(TOPOLOGIES),
    torusShape: z.array(positiveInt(4096)).min(1).max(3).optional().meta({ description: 'chips per dimension of a torus/mesh pod; derived from chipsPerPod when absent' }),
    linksPerChip: positiveInt(1024),
    linkBytesPerSec: quantity('bytesPerSec', { max: 1e13 }).meta({ description: 'per link, per direction' }),
    linkLatencySec: quantity('seconds', { max: 1, allowZero: true }),
    chipsPerPod: positiveInt(1e6),
    inSwitchReduction: z
      .boolean()
      .default(false)
      .meta({ description: 'the switch reduces in-network (NVLink SHARP style, NVSwitch gen3 and later): all-reduce may send each byte once up and once down instead of the ring\'s 2(g-1)/g; switch topology only' }),
    crossSite: z
      .strictObject({
        bytesPerSec: quantity('bytesPerSec', { max: 1e15 }).meta({ description: 'between two data centres, per site, per direction (e.g. 10 Tb/s of fibre = "1.25 TB/s")' }),
        latencySec: quantity('seconds', { max: 10, allowZero: true }),
        pjPerBit: positive(1e4).optional(),
      })
      .optional()
      .meta({ description: 'the link between data centres, for training spread over several sites' }),
    scaleOut: z
      .strictObject({
        bytesPerSec: quantity('bytesPerSec', { max: 1e13 }).meta({ description: 'per chip, per direction, to chips outside the pod' }),
        latencySec: quantity('seconds', { max: 1, allowZero: true }),
        pjPerBit: positive(1e3).optional(),
      })
      .optional(),
  }),
  kernels: designKernelsSchema.optional(),
  reliability: z
    .strictObject({
      chipFit: positive(1e9, 'interruptions per 1e9 chip-hours, all causes (default from Llama 3 on H100s)').default(CHIP_FIT),
      memoryFitPerMbit: positive(1e9, 'raw memory bit errors per 1e9 hours per Mbit').default(MEMORY_FIT_PER_MBIT),
    })
    .default({ chipFit: CHIP_FIT, memoryFitPerMbit: MEMORY_FIT_PER_MBIT }),
  package: packageSchema.optional(),
  tco: tcoSchema.optional(),
  technology: z
    .strictObject({
      energy: energyOverrides.optional(),
      area: areaOverrides.optional(),
      cost: costOverrides.optional(),
    })
    .optional(),
});

export type DesignInput = z.input<typeof designSchema>;
export type DesignFile = z.output<typeof designSchema>;
