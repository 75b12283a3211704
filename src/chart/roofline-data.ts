import type { ChipCeilings } from '../results/design-detail.js';
import type { Bound, Evaluation } from '../results/metrics.js';
import type { FormatName } from '../precision/formats.js';
import { chooseScale, type ScaleType } from './data.js';
import { phasesOf } from './energy-data.js';

export interface ComputeCeiling {
  label: string;
  formats: FormatName[];
  flopsPerSec: number;
}

export interface MemoryCeiling {
  level: 'HBM' | 'SRAM' | 'DRAM';
  bytesPerSec: number;
}

export interface RooflineStep {
  label: string;
  workload: string;
  phase: string;
  kind: string;
  boundBy: Bound;
  computeFormat: string;
  arithmeticIntensity: number;
  flopsPerSec: number;
  timeSec: number;
}

/** A ceiling drawn as a segment from (ai0, flops0) to (ai1, flops1). */
export interface RooflineSegment {
  ceiling: string;
  kind: 'compute' | 'memory';
  ai: number;
  flopsPerSec: number;
}

export interface RooflineData {
  design: string;
  compute: ComputeCeiling[];
  memory: MemoryCeiling[];
  segments: RooflineSegment[];
  steps: RooflineStep[];
  /** Steps with no FLOPs or no off-chip traffic (collectives, SRAM-resident work): no place on a roofline. */
  omitted: number;
  aiRange: [number, number];
  xScale: ScaleType;
  yScale: ScaleType;
}

/**
 * Compute ceilings: the matrix peak of each format at its GEMM lane's main-loop efficiency (one
 * matrix efficiency for every format in runs stored before the kernel laws), formats of equal rate
 * merged; the vector unit's peak. Memory ceilings: HBM at the memory efficiency, SRAM and the DRAM
 * tier at their peaks (as the step model charges them).
 */
export function rooflineCeilings(chip: ChipCeilings): { compute: ComputeCeiling[]; memory: MemoryCeiling[] } {
  const byRate = new Map<number, FormatName[]>();
  for (const [f, macs] of Object.entries(chip.peakMacsPerSec) as [FormatName, number][]) {
    const flops = 2 * macs * (chip.efficiency.matrixByFormat?.[f] ?? chip.efficiency.matrix);
    byRate.set(flops, [...(byRate.get(flops) ?? []), f]);
  }
  const compute = [...byRate.entries()].sort((a, b) => b[0] - a[0]).map(([flopsPerSec, formats]) => ({ label: formats.join('/'), formats, flopsPerSec }));
  if (chip.vectorFlopsPerSec > 0) compute.push({ label: 'vector', formats: [], flopsPerSec: chip.vectorFlopsPerSec });
  const memory: MemoryCeiling[] = [
    { level: 'SRAM', bytesPerSec: chip.sramBytesPerSec },
    { level: 'HBM', bytesPerSec: chip.hbmBytesPerSec * chip.efficiency.memory },
  ];
  if (chip.dramBytesPerSec > 0) memory.push({ level: 'DRAM', bytesPerSec: chip.dramBytesPerSec });
  return { compute, memory };
}

const decadeBelow = (x: number) => 10 ** Math.floor(Math.log10(x));
const decadeAbove = (x: number) => 10 ** Math.ceil(Math.log10(x));

/** A design's ceilings, with the steps of its evaluations placed by arithmetic intensity and achieved FLOP/s. */
export function rooflineData(chip: ChipCeilings, evaluations: Evaluation[]): RooflineData {
  const { compute, memory } = rooflineCeilings(chip);
  const steps: RooflineStep[] = [];
  let omitted = 0;
  for (const e of evaluations) {
    for (const { workload, phase } of phasesOf(e)) {
      for (const s of phase.steps) {
        const flops = 2 * s.macs + s.vectorFlops;
        if (!(flops > 0 && s.timeSec > 0 && s.arithmeticIntensity > 0 && Number.isFinite(s.arithmeticIntensity))) {
          omitted++;
          continue;
        }
        const label = `${evaluations.length > 1 ? `${workload} ` : ''}${phase.phase}: ${s.name}`;
        steps.push({ label, workload, phase: phase.phase, kind: s.kind, boundBy: s.boundBy, computeFormat: s.computeFormat ?? '-', arithmeticIntensity: s.arithmeticIntensity, flopsPerSec: flops / s.timeSec, timeSec: s.timeSec });
      }
    }
  }
  const top = Math.max(...compute.map((c) => c.flopsPerSec));
  const hbm = memory.find((m) => m.level === 'HBM')!.bytesPerSec;
  const ridges = [...compute.map((c) => c.flopsPerSec / hbm), ...memory.map((m) => top / m.bytesPerSec)];
  const ais = [...steps.map((s) => s.arithmeticIntensity), ...ridges];
  const aiRange: [number, number] = [decadeBelow(Math.min(...ais) / 2), decadeAbove(Math.max(...ais) * 2)];
  const [lo, hi] = aiRange;
  const segments: RooflineSegment[] = [];
  for (const c of compute) {
    const from = Math.max(lo, c.flopsPerSec / hbm);
    segments.push({ ceiling: c.label, kind: 'compute', ai: from, flopsPerSec: c.flopsPerSec }, { ceiling: c.label, kind: 'compute', ai: hi, flopsPerSec: c.flopsPerSec });
  }
  for (const m of memory) {
    const to = Math.min(hi, top / m.bytesPerSec);
    segments.push({ ceiling: m.level, kind: 'memory', ai: lo, flopsPerSec: m.bytesPerSec * lo }, { ceiling: m.level, kind: 'memory', ai: to, flopsPerSec: m.bytesPerSec * to });
  }
  return {
    design: chip.name, compute, memory, segments, steps, omitted, aiRange,
    xScale: chooseScale([lo, hi]),
    yScale: chooseScale([...segments.map((s) => s.flopsPerSec), ...steps.map((s) => s.flopsPerSec)]),
  };
}
