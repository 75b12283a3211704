import type { FormatName } from '../precision/formats.js';
import type { Issue } from '../errors.js';
import type { Chip, MatrixUnit, PackageLayout } from './chip.js';
import type { DesignFile } from './schema.js';
import type { Topology } from './names.js';
import { NODE_TECHNOLOGY } from './technology.js';
import { areaWith, calcAreaMm2, ECC_OVERHEAD, narrowMacsOf, SCALE_STEP_VS_FP8 } from './area.js';
import { calcCostUsd, RETICLE_LIMIT_MM2 } from './cost.js';
import { chipTco, packageLayout } from './package.js';
import { defaultKernelParams, measuredKernelParams, withKernelOverrides } from '../kernels/load.js';
import { unitRates } from './unit-rates.js';
import { clockFigures, defaultTileDim, profileClock, pjPerMacByKey, technologyTables, unitProfile, type UnitProfile } from './chip-tables.js';
import type { KernelParams } from '../kernels/params.js';

/** Torus/mesh dimensionality per topology; ring and switch are one flat dimension. */
export const TOPOLOGY_DIMS: Record<Topology, number> = {
  ring: 1,
  torus2d: 2,
  torus3d: 3,
  mesh2d: 2,
  mesh3d: 3,
  switch: 1,
  'fully-connected': 1,
};

/** Links a chip needs for its topology: two per torus/mesh dimension (one each way), two for a ring. */
export function minLinks(topology: Topology, chipsPerPod: number): number {
  if (topology === 'fully-connected') return Math.max(1, chipsPerPod - 1);
  if (topology === 'switch') return 1;
  return 2 * TOPOLOGY_DIMS[topology];
}

const DEFAULT_SHAPES = new Map<string, readonly number[]>();

/** Near-cubic (or square) factorization of n into `dims` factors, largest first (memoized by n and dims: the result is shared and frozen). */
export function defaultShape(n: number, dims: number): readonly number[] {
  if (dims === 1) return [n];
  const key = `${n}|${dims}`;
  let shape = DEFAULT_SHAPES.get(key);
  if (!shape) {
    if (DEFAULT_SHAPES.size > 4096) DEFAULT_SHAPES.clear();
    DEFAULT_SHAPES.set(key, (shape = Object.freeze(searchDefaultShape(n, dims))));
  }
  return shape;
}

function searchDefaultShape(n: number, dims: number): number[] {
  let best: number[] = [n, ...Array(dims - 1).fill(1)];
  let bestSpread = Infinity;
  const search = (rest: number, left: number, acc: number[]) => {
    if (left === 1) {
      const shape = [...acc, rest].sort((a, b) => b - a);
      const spread = shape[0] / shape[shape.length - 1];
      if (spread < bestSpread) {
        bestSpread = spread;
        best = shape;
      }
      return;
    }
    for (let f = 1; f <= rest; f++) if (rest % f === 0) search(rest / f, left - 1, [...acc, f]);
  };
  search(n, dims, []);
  return best;
}

/** Cross-field rules a schema cannot express; each problem with its path. */
export function crossFieldIssues(d: DesignFile): Issue[] {
  const issues: Issue[] = [];
  const ic = d.interconnect;
  const dims = TOPOLOGY_DIMS[ic.topology];
  if (ic.torusShape) {
    if (dims === 1 && ic.topology !== 'ring') {
      issues.push({ path: 'interconnect.torusShape', message: `not used by topology "${ic.topology}"; remove it` });
    } else if (ic.torusShape.length !== dims) {
      issues.push({ path: 'interconnect.torusShape', message: `expected ${dims} dimensions for topology "${ic.topology}", got ${ic.torusShape.length}` });
    }
    let product = 1;
    for (let i = 0; i < ic.torusShape.length; i++) product *= ic.torusShape[i];
    if (product !== ic.chipsPerPod) {
      issues.push({ path: 'interconnect.torusShape', message: `product ${product} must equal chipsPerPod ${ic.chipsPerPod}` });
    }
  }
  if (ic.inSwitchReduction && ic.topology !== 'switch') {
    issues.push({ path: 'interconnect.inSwitchReduction', message: `needs a switch; topology "${ic.topology}" has none` });
  }
  const need = minLinks(ic.topology, ic.chipsPerPod);
  if (ic.chipsPerPod > 1 && ic.linksPerChip < need) {
    issues.push({ path: 'interconnect.linksPerChip', message: `topology "${ic.topology}" with ${ic.chipsPerPod} chips needs at least ${need} links per chip, got ${ic.linksPerChip}` });
  }
  if (d.compute.blockScaling && !hasNarrowUnit(d)) {
    issues.push({ path: 'compute.blockScaling', message: 'block scaling needs a matrix unit with a format of 8 bits or fewer' });
  }
  const io = d.package?.ioDies;
  if (io && io.sramBytes > d.memory.sram.bytes) issues.push({ path: 'package.ioDies.sramBytes', message: `${io.sramBytes} bytes on the I/O dies is more than memory.sram.bytes ${d.memory.sram.bytes}` });
  if (io && io.areaMm2 > RETICLE_LIMIT_MM2) issues.push({ path: 'package.ioDies.areaMm2', message: `expected at most the ${RETICLE_LIMIT_MM2} mm2 reticle limit, got ${io.areaMm2}` });
  const measured = d.kernels?.measured;
  if (measured !== undefined && !measuredKernelParams().has(measured)) {
    issues.push({ path: 'kernels.measured', message: `no measured GPU "${measured}" in data/kernel-params.json (it has ${[...measuredKernelParams().keys()].join(', ')})` });
  }
  const tech = d.technology;
  if (tech?.area?.uncoreFraction !== undefined && tech.area.uncoreFraction >= 0.9) {
    issues.push({ path: 'technology.area.uncoreFraction', message: 'expected less than 0.9' });
  }
  return issues;
}

/** Whether a matrix unit has a format of 8 bits or fewer; for one unit, from its profile (kept per formats object, and found again by the chip build). */
function hasNarrowUnit(d: DesignFile): boolean {
  const units = d.compute.matrixUnits;
  if (units.length === 1) return unitProfile(d, technologyTables(d)).narrowMacs !== undefined;
  return units.some((u) => narrowMacsOf(u.macsPerCycle) !== undefined);
}

/**
 * Leakage of I/O dies: their node's W/mm2 at half weight (they are mostly SRAM, PHYs and wires,
 * which leak less per mm2 than logic; docs/technology-sources.md section 7), on their own supply.
 */
function ioDieStaticW(pkg: PackageLayout): number {
  const io = pkg.ioDies;
  return io ? 0.5 * NODE_TECHNOLOGY[io.processNode].staticWPerMm2 * io.count * io.areaMm2 : 0;
}

/**
 * The kernel-law parameters of a design: the shipped fit (shared, frozen), or a measured GPU's
 * levels (`kernels.measured`), with a merged copy only when the design overrides parameters.
 */
function kernelParamsOf(d: DesignFile): KernelParams {
  const k = d.kernels;
  if (!k) return defaultKernelParams();
  const base = (k.measured !== undefined ? measuredKernelParams().get(k.measured) : undefined) ?? defaultKernelParams();
  const overrides = Object.keys(k).some((key) => key !== 'measured' && k[key as keyof typeof k] !== undefined);
  return overrides ? withKernelOverrides(base, k) : base;
}

/** A sorted copy (ascending) of a design's block sizes; one size needs no sort. */
function sortedBlockSizes(sizes: readonly number[]): number[] {
  return sizes.length === 1 ? [sizes[0]] : [...sizes].sort((a, b) => a - b);
}

/**
 * The matrix and block-scaling areas of a chip of one unit of `count`, from its profile: as
 * calcMatrixAreaMm2 and calcBlockScalingAreaMm2 work them out for one unit, in the same order.
 */
function unitMatrixMm2(p: UnitProfile, count: number): number {
  let total = 0;
  total += count * p.widestMm2 * p.formatFactor;
  return total;
}

function unitBlockScalingMm2(p: UnitProfile, count: number, minBlock: number | undefined, fp8MacMm2: number): number {
  if (!minBlock) return 0;
  let lanes = 0;
  if (p.narrowMacs !== undefined) lanes += count * p.narrowMacs;
  return (lanes / minBlock) * SCALE_STEP_VS_FP8 * fp8MacMm2;
}

/** A copy of a torus shape (a frozen array from defaultShape, where slice takes a slow path). */
function copyShape(s: readonly number[]): number[] {
  if (s.length === 1) return [s[0]];
  if (s.length === 2) return [s[0], s[1]];
  if (s.length === 3) return [s[0], s[1], s[2]];
  return s.slice();
}

/** Builds the evaluator's view of a design (assumes `crossFieldIssues` found nothing). */
export function buildChip(d: DesignFile): Chip {
  const tables = technologyTables(d);
  const tech = tables.tech;
  const clockHz = d.compute.clockHz;
  const mus = d.compute.matrixUnits;

  // One matrix unit (the common case): what its formats determine from its profile, its records by
  // object literals of its formats; several units by the general loops.
  const profile = mus.length === 1 ? unitProfile(d, tables) : undefined;
  const single = profile ? profile.maker : null;
  const pjPerMac = profile ? profile.pj : pjPerMacByKey(d, tables);
  const units: MatrixUnit[] = new Array(mus.length);
  for (let i = 0; i < units.length; i++) {
    const u = mus[i];
    const macsPerCycle = u.macsPerCycle as Partial<Record<FormatName, number>>;
    units[i] = {
      name: u.name ?? `matrix${i}`,
      count: u.count,
      macsPerCycle: single ? single.copy(macsPerCycle) : { ...macsPerCycle },
      tileDim: u.tileDim ?? (profile ? profile.tileDim : defaultTileDim(macsPerCycle)),
    };
  }
  const { peakMacsPerSec, tileDim, unitCount } = single?.rates(units[0].macsPerCycle, units[0].count, units[0].tileDim, clockHz) ?? unitRates(units, clockHz);

  const ic = d.interconnect;
  const dims = TOPOLOGY_DIMS[ic.topology];
  const shape = ic.torusShape ?? defaultShape(ic.chipsPerPod, ic.topology === 'ring' ? 1 : dims);
  const blockScaling = d.compute.blockScaling
    ? { blockSizes: sortedBlockSizes(d.compute.blockScaling.blockSizes), scaleBits: d.compute.blockScaling.scaleBits }
    : undefined;
  const dramBytes = d.memory.dram?.bytes ?? 0;

  const areaInputs = {
    units,
    mm2PerMac: tables.mm2PerMac,
    blockScalingMinBlock: blockScaling?.blockSizes[0],
    vectorFlopsPerCycle: d.compute.vectorUnit.flopsPerCycle,
    sramBytes: d.memory.sram.bytes,
    ecc: d.memory.ecc,
    hbmStacks: d.memory.hbm.stacks,
    linksPerChip: ic.linksPerChip,
    dies: d.dies,
    tech,
    io: d.package?.ioDies,
  };
  const area = profile
    ? areaWith(areaInputs, unitMatrixMm2(profile, units[0].count), unitBlockScalingMm2(profile, units[0].count, areaInputs.blockScalingMinBlock, tech.fp8MacMm2))
    : calcAreaMm2(areaInputs);
  const pkg = packageLayout(d, area, tech);
  const cost = calcCostUsd({ perDieMm2: area.perDieMm2, dies: d.dies, hbmBytes: d.memory.hbm.bytes, hbmStacks: d.memory.hbm.stacks, dramBytes, tech, pkg });
  const eccEnergy = d.memory.ecc ? 1 + ECC_OVERHEAD : 1;
  // The clock sets the supply voltage (DVFS): logic energy per operation goes as V^2, leakage as V.
  const nominalClockHz = d.compute.nominalClockHz ?? clockHz;
  const clock = profile ? profileClock(profile, tech, clockHz / nominalClockHz) : clockFigures(pjPerMac, tech, clockHz / nominalClockHz);
  const voltage = clock.voltage;
  const kernels = kernelParamsOf(d);

  return {
    name: d.name,
    notes: d.notes ?? '',
    processNode: d.processNode,
    tdpW: d.tdpW,
    dies: d.dies,
    publishedDieAreaMm2: d.publishedDieAreaMm2,
    clockHz,
    voltage: { nominalClockHz, ratio: voltage, maxRatio: tech.maxVoltageRatio },
    matrixUnits: units,
    peakMacsPerSec,
    tileDim,
    unitCount,
    cores: d.compute.cores ?? (units.length === 1 ? units[0].count : Math.max(...units.map((u) => u.count))),
    vectorFlopsPerSec: d.compute.vectorUnit.flopsPerCycle * clockHz,
    blockScaling,
    sramBytes: d.memory.sram.bytes,
    sramBytesPerSec: d.memory.sram.bytesPerSec,
    hbmStacks: d.memory.hbm.stacks,
    hbmBytes: d.memory.hbm.bytes,
    hbmBytesPerSec: d.memory.hbm.bytesPerSec,
    dramBytes,
    dramBytesPerSec: d.memory.dram?.bytesPerSec ?? 0,
    ecc: d.memory.ecc,
    interconnect: {
      topology: ic.topology,
      shape: copyShape(shape),
      linksPerChip: ic.linksPerChip,
      linkBytesPerSec: ic.linkBytesPerSec,
      linkLatencySec: ic.linkLatencySec,
      chipsPerPod: ic.chipsPerPod,
      efficiency: kernels.collectives.ring.busEfficiency,
      inSwitchReduction: ic.inSwitchReduction,
      // Long-haul optics: ~10 pJ/bit for coherent 400G-class transceivers is an assumption (2x the pod SerDes figure x 2 ends).
      crossSite: ic.crossSite ? { bytesPerSec: ic.crossSite.bytesPerSec, latencySec: ic.crossSite.latencySec, pjPerBit: ic.crossSite.pjPerBit ?? tech.linkPjPerBit * 4 } : undefined,
      scaleOut: ic.scaleOut
        ? { bytesPerSec: ic.scaleOut.bytesPerSec, latencySec: ic.scaleOut.latencySec, pjPerBit: ic.scaleOut.pjPerBit ?? tech.linkPjPerBit * 2 }
        : undefined,
    },
    kernels,
    efficiency: {
      matrix: kernels.gemm.bf16.efficiency,
      memory: kernels.elementwise.hbmEfficiency,
      interconnect: kernels.collectives.ring.busEfficiency,
      source: d.kernels ? 'kernel laws: data/kernel-params.json with the design\'s kernels overrides' : 'kernel laws: data/kernel-params.json',
    },
    reliability: { chipFit: d.reliability.chipFit, memoryFitPerMbit: d.reliability.memoryFitPerMbit },
    energy: {
      pjPerMac: clock.pjPerMac(),
      blockScaleStepPj: { e8m0: clock.e8m0StepPj, e4m3: clock.e4m3StepPj },
      vectorPjPerFlop: clock.vectorPjPerFlop,
      sramPjPerByte: tech.sramPjPerByte * eccEnergy,
      hbmPjPerByte: tech.hbmPjPerByte * eccEnergy,
      dramPjPerByte: tech.dramPjPerByte * eccEnergy,
      linkPjPerBit: tech.linkPjPerBit,
      staticW: tech.staticWPerMm2 * area.totalMm2 * voltage + ioDieStaticW(pkg),
    },
    area,
    package: pkg,
    cost,
    tco: chipTco(d, cost),
  };
}
