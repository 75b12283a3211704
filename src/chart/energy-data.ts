import { ENERGY_PARTS, totalEnergy, type Evaluation, type Metrics, type PhaseCost } from '../results/metrics.js';

export type EnergyPart = (typeof ENERGY_PARTS)[number];

export interface EnergyRow {
  /** The bar: a design, or a step of a phase. */
  group: string;
  /** The panel the bar is drawn in: a workload, or a workload's phase. */
  panel: string;
  part: EnergyPart;
  energyJ: number;
  /** The bar's total (all parts), for tooltips. */
  totalJ: number;
  /** The design is infeasible on this workload: its bar is not a result to compare. */
  infeasible?: boolean;
}

export interface EnergyData {
  by: 'design' | 'step';
  /** What one bar's height means. */
  unit: string;
  /** Bars in drawing order (per panel for steps). */
  groups: string[];
  panels: string[];
  /** Zero parts are left out: they draw nothing. */
  rows: EnergyRow[];
}

/** Energy per token by part, one bar per design and workload (`infeasible`: the workloads a design is infeasible on, drawn faded). */
export function energyByDesign(designs: { label: string; metrics: Record<string, Metrics>; infeasible?: string[] }[]): EnergyData {
  const rows: EnergyRow[] = [];
  const panels = new Set<string>();
  for (const d of designs) {
    for (const [w, m] of Object.entries(d.metrics)) {
      panels.add(w);
      const totalJ = totalEnergy(m.energyBreakdownJ);
      const infeasible = d.infeasible?.includes(w) ? { infeasible: true } : {};
      for (const part of ENERGY_PARTS) if (m.energyBreakdownJ[part] > 0) rows.push({ group: d.label, panel: w, part, energyJ: m.energyBreakdownJ[part], totalJ, ...infeasible });
    }
  }
  return { by: 'design', unit: 'energy per token (J)', groups: designs.map((d) => d.label), panels: [...panels], rows };
}

/** A workload's phases, with a mix's components' phases under their own workload names. */
export function phasesOf(e: Evaluation): { workload: string; phase: PhaseCost }[] {
  if (e.components && e.components.length > 0) return e.components.flatMap((c) => phasesOf(c.evaluation));
  return e.phases.map((phase) => ({ workload: e.workload, phase }));
}

/**
 * Energy of one pass of each phase (of each workload) on one chip, one bar per step. Steps carry dynamic energy;
 * the phase's static energy (static power over its time) is shared among its steps by their
 * time, so a panel's bars add up to the phase's energy.
 */
export function energyBySteps(evaluations: Evaluation[]): EnergyData {
  const rows: EnergyRow[] = [];
  const groups: string[] = [];
  const phases = evaluations.flatMap(phasesOf);
  const multi = new Set(phases.map((p) => p.workload)).size > 1;
  const panels = phases.map(({ workload, phase }) => (multi ? `${workload} ${phase.phase}` : phase.phase));
  phases.forEach(({ phase }, pi) => {
    const stepSec = phase.steps.reduce((a, s) => a + s.timeSec, 0);
    phase.steps.forEach((s, i) => {
      const group = `${i + 1}. ${s.name}`;
      groups.push(group);
      const parts = { ...s.energyJ, static: stepSec > 0 ? (phase.energyJ.static * s.timeSec) / stepSec : 0 };
      const totalJ = totalEnergy(parts);
      for (const part of ENERGY_PARTS) if (parts[part] > 0) rows.push({ group, panel: panels[pi], part, energyJ: parts[part], totalJ });
    });
  });
  return { by: 'step', unit: 'energy per pass on one chip (J)', groups: [...new Set(groups)], panels, rows };
}
