import { FORMATS, type FormatName } from '../precision/formats.js';
import type { Issue } from '../errors.js';
import type { Chip, MatrixUnit, PackageLayout } from './chip.js';
import type { DesignFile } from './schema.js';
import type { Topology } from './names.js';
import { ASSEMBLY_YIELD_PER_PART, HBM_TECHNOLOGY, NODE_TECHNOLOGY, defaultMm2PerMac, defaultPjPerMac, blockScalePj45PerMac, supplyVoltageRatio, type ResolvedTechnology } from './technology.js';
import { calcAreaMm2, ECC_OVERHEAD } from './area.js';
import { calcCostUsd, RETICLE_LIMIT_MM2 } from './cost.js';
import { chipTco, packageLayout } from './package.js';
import { isDeepFrozen } from '../io/freeze.js';
import { defaultKernelParams, measuredKernelParams, withKernelOverrides } from '../kernels/load.js';
import { recordCopier, sameKeys, singleUnitMaker, unitRates } from './unit-rates.js';
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

/** Default tile side of a matrix unit: the square root of its widest format's MACs per cycle (a square array). */
function defaultTileDim(macsPerCycle: Partial<Record<FormatName, number>>): number {
  let widest = Infinity;
  for (const f in macsPerCycle) widest = Math.min(widest, macsPerCycle[f as FormatName] ?? Infinity);
  return Math.max(1, Math.round(Math.sqrt(widest)));
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
    const product = ic.torusShape.reduce((a, b) => a * b, 1);
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
  if (d.compute.blockScaling && !d.compute.matrixUnits.some(hasNarrowFormat)) {
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

function hasNarrowFormat(u: DesignFile['compute']['matrixUnits'][number]): boolean {
  for (const f in u.macsPerCycle) if (FORMATS[f as FormatName].bits <= 8) return true;
  return false;
}

/**
 * A multi-format unit runs formats of one width on one array sized for the widest significand:
 * bf16 on a tensor core that also does fp16 toggles an fp16-sized multiplier. So a format's energy
 * on a unit is that of the costliest format of the same width and kind the unit supports; the chip
 * takes each format's cheapest unit.
 */
function sharedArrayPjPerMac(d: DesignFile, base: Record<FormatName, number>): Record<FormatName, number> {
  const out = { ...base };
  const best: Partial<Record<FormatName, number>> = {};
  for (const u of d.compute.matrixUnits) {
    const formats = Object.keys(u.macsPerCycle) as FormatName[];
    for (const f of formats) {
      const peers = formats.filter((g) => FORMATS[g].bits === FORMATS[f].bits && FORMATS[g].kind === FORMATS[f].kind);
      const pj = Math.max(...peers.map((g) => base[g]));
      best[f] = Math.min(best[f] ?? Infinity, pj);
    }
  }
  for (const [f, pj] of Object.entries(best) as [FormatName, number][]) out[f] = pj;
  return out;
}

function resolveTechnology(d: DesignFile): ResolvedTechnology {
  const hbm = HBM_TECHNOLOGY[d.memory.hbm.generation];
  const base = Object.assign({}, NODE_TECHNOLOGY[d.processNode], { hbmPjPerByte: hbm.pjPerByte, hbmUsdPerGB: hbm.usdPerGB, hbmPhyMm2: hbm.phyMm2, hbmFootprintMm2: hbm.footprintMm2, interposerUsdPerMm2: undefined, assemblyYieldPerPart: ASSEMBLY_YIELD_PER_PART });
  const e = d.technology?.energy ?? {};
  const a = d.technology?.area ?? {};
  const c = d.technology?.cost ?? {};
  const strip = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([k, v]) => v !== undefined && k !== 'pjPerMac' && k !== 'mm2PerMac'));
  return Object.assign(base, strip(e), strip(a), strip(c)) as ResolvedTechnology;
}

/** What a design's technology determines: the same for every design of a space that shares node, HBM generation, overrides and unit formats. */
interface TechnologyTables {
  tech: ResolvedTechnology;
  mm2PerMac: Record<FormatName, number>;
  /** pJ per MAC by the formats of the matrix units (their keys, in order). */
  pjPerMacByUnits: Map<string, Record<FormatName, number>>;
  /** The same for a single unit, by its formats object, with the formats it had (checked on every use: the object may change). */
  pjPerMacByFormats: WeakMap<object, { formats: string[]; pj: Record<FormatName, number> }>;
}

/**
 * Technology tables, memoized: a search builds millions of chips from a few combinations of
 * process node, HBM generation and overrides. Keyed by the overrides object itself, then by node
 * and HBM generation; only a deep-frozen overrides object (a design validated by parseDesign) is a
 * key, so tables never outlive a change to the object they were built from.
 */
const TABLES = new WeakMap<object, Map<string, TechnologyTables>>();
const NO_OVERRIDES = Object.freeze({});

/** The last tables found in TABLES, with what they were found by: a search's designs mostly share them. */
let lastTables: { overrides: object; node: string; hbm: string; t: TechnologyTables } | undefined;

function technologyTables(d: DesignFile): TechnologyTables {
  const overrides = d.technology ?? NO_OVERRIDES;
  const last = lastTables;
  if (last && last.overrides === overrides && last.node === d.processNode && last.hbm === d.memory.hbm.generation) return last.t;
  const memo = overrides === NO_OVERRIDES || isDeepFrozen(overrides);
  let byNode = memo ? TABLES.get(overrides) : undefined;
  if (!byNode) {
    byNode = new Map();
    if (memo) TABLES.set(overrides, byNode);
  }
  const key = `${d.processNode}|${d.memory.hbm.generation}`;
  let t = byNode.get(key);
  if (!t) {
    const tech = resolveTechnology(d);
    const mm2PerMac = { ...defaultMm2PerMac(tech), ...(d.technology?.area?.mm2PerMac ?? {}) } as Record<FormatName, number>;
    byNode.set(key, (t = { tech, mm2PerMac, pjPerMacByUnits: new Map(), pjPerMacByFormats: new WeakMap() }));
  }
  if (memo) lastTables = { overrides, node: d.processNode, hbm: d.memory.hbm.generation, t };
  return t;
}

/** pJ per MAC by format: it depends on which formats each unit has (their names), not on their rates. */
function pjPerMacOf(d: DesignFile, t: TechnologyTables): Record<FormatName, number> {
  const units = d.compute.matrixUnits;
  if (units.length !== 1) return pjPerMacByKey(d, t);
  // A search's designs share their unit's formats object: found by it, then its formats compared (no key string to build).
  const formats = units[0].macsPerCycle;
  const hit = t.pjPerMacByFormats.get(formats);
  if (hit && sameKeys(formats, hit.formats)) return hit.pj;
  const pj = pjPerMacByKey(d, t);
  t.pjPerMacByFormats.set(formats, { formats: Object.keys(formats), pj });
  return pj;
}

function pjPerMacByKey(d: DesignFile, t: TechnologyTables): Record<FormatName, number> {
  let key = '';
  for (const u of d.compute.matrixUnits) {
    for (const f in u.macsPerCycle) key += `${f},`;
    key += ';';
  }
  let pj = t.pjPerMacByUnits.get(key);
  if (!pj) {
    pj = { ...sharedArrayPjPerMac(d, defaultPjPerMac(t.tech)), ...(d.technology?.energy?.pjPerMac ?? {}) } as Record<FormatName, number>;
    if (t.pjPerMacByUnits.size > 1024) t.pjPerMacByUnits.clear();
    t.pjPerMacByUnits.set(key, pj);
  }
  return pj;
}

/** A pJ/MAC table scaled by a dynamic-energy factor, and a fresh copy of it for each chip (the chip's own, as `{ ...table }` was). */
interface ScaledPj {
  table: Record<FormatName, number>;
  copy: () => Record<FormatName, number>;
}

/** pJ/MAC tables scaled by a dynamic-energy factor (V^2), memoized: a space has a few clocks. */
const SCALED_PJ = new WeakMap<Record<FormatName, number>, Map<number, ScaledPj>>();

function scaledPjPerMac(pj: Record<FormatName, number>, factor: number): ScaledPj {
  let byFactor = SCALED_PJ.get(pj);
  if (!byFactor) SCALED_PJ.set(pj, (byFactor = new Map()));
  let out = byFactor.get(factor);
  if (!out) {
    const table = factor === 1 ? pj : { ...pj };
    if (factor !== 1) for (const f in table) table[f as FormatName] *= factor;
    // The tables are never written after this (pjPerMacOf's are kept the same way), so a copier reads them at each call.
    const copier = recordCopier<Record<FormatName, number>>(Object.keys(table));
    out = { table, copy: copier ? () => copier(table) : () => ({ ...table }) };
    if (byFactor.size > 256) byFactor.clear();
    byFactor.set(factor, out);
  }
  return out;
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

/** Builds the evaluator's view of a design (assumes `crossFieldIssues` found nothing). */
export function buildChip(d: DesignFile): Chip {
  const tables = technologyTables(d);
  const tech = tables.tech;
  const pjPerMac = pjPerMacOf(d, tables);
  const mm2PerMac = tables.mm2PerMac;
  const clockHz = d.compute.clockHz;

  // One matrix unit (the common case) by object literals of its formats; several by the general loop.
  const single = d.compute.matrixUnits.length === 1 ? singleUnitMaker(d.compute.matrixUnits[0].macsPerCycle) : null;
  const units: MatrixUnit[] = new Array(d.compute.matrixUnits.length);
  for (let i = 0; i < units.length; i++) {
    const u = d.compute.matrixUnits[i];
    const macsPerCycle = u.macsPerCycle as Partial<Record<FormatName, number>>;
    units[i] = {
      name: u.name ?? `matrix${i}`,
      count: u.count,
      macsPerCycle: single ? single.copy(macsPerCycle) : { ...macsPerCycle },
      tileDim: u.tileDim ?? defaultTileDim(macsPerCycle),
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

  const area = calcAreaMm2({
    units,
    mm2PerMac,
    blockScalingMinBlock: blockScaling?.blockSizes[0],
    vectorFlopsPerCycle: d.compute.vectorUnit.flopsPerCycle,
    sramBytes: d.memory.sram.bytes,
    ecc: d.memory.ecc,
    hbmStacks: d.memory.hbm.stacks,
    linksPerChip: ic.linksPerChip,
    dies: d.dies,
    tech,
    io: d.package?.ioDies,
  });
  const pkg = packageLayout(d, area, tech);
  const cost = calcCostUsd({ perDieMm2: area.perDieMm2, dies: d.dies, hbmBytes: d.memory.hbm.bytes, hbmStacks: d.memory.hbm.stacks, dramBytes, tech, pkg });
  const eccEnergy = d.memory.ecc ? 1 + ECC_OVERHEAD : 1;
  const logicScale = tech.logicEnergyScale * tech.macOverheadFactor;
  // The clock sets the supply voltage (DVFS): logic energy per operation goes as V^2, leakage as V.
  const nominalClockHz = d.compute.nominalClockHz ?? clockHz;
  const voltage = supplyVoltageRatio(clockHz / nominalClockHz, tech);
  const dynamicScale = voltage * voltage;
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
    cores: d.compute.cores ?? Math.max(...units.map((u) => u.count)),
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
      shape: shape.slice(),
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
      pjPerMac: scaledPjPerMac(pjPerMac, dynamicScale).copy(),
      blockScaleStepPj: { e8m0: blockScalePj45PerMac(1, 'e8m0') * logicScale * dynamicScale, e4m3: blockScalePj45PerMac(1, 'e4m3') * logicScale * dynamicScale },
      vectorPjPerFlop: tech.vectorPjPerFlop * dynamicScale,
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
