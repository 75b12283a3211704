import { FORMATS, type FormatName } from '../precision/formats.js';
import type { DesignFile } from './schema.js';
import { ASSEMBLY_YIELD_PER_PART, HBM_TECHNOLOGY, NODE_TECHNOLOGY, defaultMm2PerMac, defaultPjPerMac, blockScalePj45PerMac, supplyVoltageRatio, type ResolvedTechnology } from './technology.js';
import { isDeepFrozen } from '../io/freeze.js';
import { formatAreaFactor, narrowMacsOf, widestUseMm2 } from './area.js';
import { recordCopier, singleUnitMaker, type SingleUnitMaker } from './unit-rates.js';

/**
 * What a chip build looks up rather than works out: the technology tables of a node, HBM
 * generation and overrides; per matrix unit's formats object, the figures that depend on its
 * formats alone (UnitProfile); per clock over nominal, the figures that depend on the clock alone
 * (ClockFigures). A search's designs share a few of each, so each is worked out once, by the same
 * arithmetic, in the same order, as buildChip did per chip (test/chip-tables.test.ts).
 */

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
export interface TechnologyTables {
  tech: ResolvedTechnology;
  mm2PerMac: Record<FormatName, number>;
  /** pJ per MAC by the formats of the matrix units (their keys, in order). */
  pjPerMacByUnits: Map<string, Record<FormatName, number>>;
  /** A single unit's profile by its formats object (checked on every use against the names and MACs it was made from: the object may change). */
  profiles: WeakMap<object, UnitProfile>;
}

/**
 * Technology tables, memoized: a search builds millions of chips from a few combinations of
 * process node, HBM generation and overrides. Keyed by the overrides object itself, then by node
 * and HBM generation; only a deep-frozen overrides object (a design validated by parseDesign) is a
 * key, so tables never outlive a change to the object they were built from.
 */
let TABLES = new WeakMap<object, Map<string, TechnologyTables>>();
const NO_OVERRIDES = Object.freeze({});

/** The last tables found in TABLES, with what they were found by: a search's designs mostly share them. */
let lastTables: { overrides: object; node: string; hbm: string; t: TechnologyTables } | undefined;

export function technologyTables(d: DesignFile): TechnologyTables {
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
    byNode.set(key, (t = { tech, mm2PerMac, pjPerMacByUnits: new Map(), profiles: new WeakMap() }));
  }
  if (memo) lastTables = { overrides, node: d.processNode, hbm: d.memory.hbm.generation, t };
  return t;
}

/** pJ per MAC by format: it depends on which formats each unit has (their names), not on their rates. */
export function pjPerMacByKey(d: DesignFile, t: TechnologyTables): Record<FormatName, number> {
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

/** Default tile side of a matrix unit: the square root of its widest format's MACs per cycle (a square array). */
export function defaultTileDim(macsPerCycle: Partial<Record<FormatName, number>>): number {
  let widest = Infinity;
  for (const f in macsPerCycle) widest = Math.min(widest, macsPerCycle[f as FormatName] ?? Infinity);
  return Math.max(1, Math.round(Math.sqrt(widest)));
}

/**
 * A chip of one matrix unit: what its formats object (names and MACs per cycle) and the tables
 * determine, whatever the unit's count, the clock and the rest of the design.
 */
export interface UnitProfile {
  /** The formats' names and MACs per cycle the profile was made from, in order. */
  keys: string[];
  macs: unknown[];
  maker: SingleUnitMaker | null;
  /** The chip's pJ per MAC table (before the clock's voltage). */
  pj: Record<FormatName, number>;
  /** calcMatrixAreaMm2's widest use of the unit (MACs x mm2 per MAC) and its multi-format factor. */
  widestMm2: number;
  formatFactor: number;
  /** calcBlockScalingAreaMm2's widest narrow (<= 8-bit) MACs per cycle; undefined where the unit has no narrow format. */
  narrowMacs: number | undefined;
  /** The unit's tile side where the design gives none. */
  tileDim: number;
  /** Clock figures of its pJ table met so far (a space has a few clocks), found by their ratio. */
  clocks: ClockFigures[];
}

function sameEntries(o: Record<string, unknown>, keys: string[], values: unknown[]): boolean {
  let i = 0;
  for (const k in o) {
    if (keys[i] !== k || o[k] !== values[i]) return false;
    i++;
  }
  return i === keys.length;
}

/** The last profile found, with the formats object and tables it was found by. */
let lastProfile: { formats: object | undefined; t: TechnologyTables | undefined; p: UnitProfile } = { formats: undefined, t: undefined, p: undefined as unknown as UnitProfile };

/** The profile of a design's one matrix unit (found by its formats object, then checked entry by entry). */
export function unitProfile(d: DesignFile, t: TechnologyTables): UnitProfile {
  const formats = d.compute.matrixUnits[0].macsPerCycle as Record<string, unknown>;
  const last = lastProfile;
  if (last.formats === formats && last.t === t && sameEntries(formats, last.p.keys, last.p.macs)) return last.p;
  const hit = t.profiles.get(formats);
  if (hit && sameEntries(formats, hit.keys, hit.macs)) {
    lastProfile = { formats, t, p: hit };
    return hit;
  }
  const keys = Object.keys(formats);
  const macsPerCycle = formats as Partial<Record<FormatName, number>>;
  const profile: UnitProfile = {
    keys,
    macs: keys.map((k) => formats[k]),
    maker: singleUnitMaker(formats),
    pj: pjPerMacByKey(d, t),
    widestMm2: widestUseMm2(macsPerCycle, t.mm2PerMac),
    formatFactor: formatAreaFactor(keys.length),
    narrowMacs: narrowMacsOf(macsPerCycle),
    tileDim: defaultTileDim(macsPerCycle),
    clocks: [],
  };
  t.profiles.set(formats, profile);
  lastProfile = { formats, t, p: profile };
  return profile;
}

/** What the clock over nominal sets, for one pJ/MAC table (of one technology): the voltage and the energies that go as its square. */
export interface ClockFigures {
  /** The clock over nominal they are for. */
  ratio: number;
  voltage: number;
  dynamicScale: number;
  /** A fresh copy of the pJ/MAC table scaled by dynamicScale (the chip's own, as `{ ...table }` was). */
  pjPerMac: () => Record<FormatName, number>;
  e8m0StepPj: number;
  e4m3StepPj: number;
  vectorPjPerFlop: number;
}

/**
 * Clock figures by pJ table, then clock ratio: a space has a few clocks. A pJ table belongs to one
 * TechnologyTables (pjPerMacByKey makes it), so the table also names its technology; tables and
 * technologies are never written after they are made.
 */
let CLOCK_FIGURES = new WeakMap<Record<FormatName, number>, Map<number, ClockFigures>>();

export function clockFigures(pj: Record<FormatName, number>, tech: ResolvedTechnology, ratio: number): ClockFigures {
  let byRatio = CLOCK_FIGURES.get(pj);
  if (!byRatio) CLOCK_FIGURES.set(pj, (byRatio = new Map()));
  let out = byRatio.get(ratio);
  if (!out) {
    const voltage = supplyVoltageRatio(ratio, tech);
    const dynamicScale = voltage * voltage;
    const table = dynamicScale === 1 ? pj : { ...pj };
    if (dynamicScale !== 1) for (const f in table) table[f as FormatName] *= dynamicScale;
    const copier = recordCopier<Record<FormatName, number>>(Object.keys(table));
    const logicScale = tech.logicEnergyScale * tech.macOverheadFactor;
    out = {
      ratio,
      voltage,
      dynamicScale,
      pjPerMac: copier ? () => copier(table) : () => ({ ...table }),
      e8m0StepPj: blockScalePj45PerMac(1, 'e8m0') * logicScale * dynamicScale,
      e4m3StepPj: blockScalePj45PerMac(1, 'e4m3') * logicScale * dynamicScale,
      vectorPjPerFlop: tech.vectorPjPerFlop * dynamicScale,
    };
    if (byRatio.size > 256) byRatio.clear();
    byRatio.set(ratio, out);
  }
  return out;
}

/** Forgets every table, profile and clock figure kept (the next chip works them out afresh): for tests that compare a chip built from kept figures with one built from none. */
export function forgetChipTables(): void {
  TABLES = new WeakMap();
  CLOCK_FIGURES = new WeakMap();
  lastTables = undefined;
  lastProfile = { formats: undefined, t: undefined, p: lastProfile.p };
}

/** A unit profile's clock figures at `ratio`: its own list first, then clockFigures (the profile's pJ table and technology are its tables'). */
export function profileClock(p: UnitProfile, tech: ResolvedTechnology, ratio: number): ClockFigures {
  const clocks = p.clocks;
  for (let i = 0; i < clocks.length; i++) if (clocks[i].ratio === ratio) return clocks[i];
  const c = clockFigures(p.pj, tech, ratio);
  if (clocks.length < 16) clocks.push(c);
  return c;
}
