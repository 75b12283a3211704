import { ENERGY_PARTS, totalEnergy, type Evaluation, type Metrics } from '../results/metrics.js';
import type { Workload } from '../workload/workload.js';
import { bytes, joules, percent, seconds, si, table, usd } from './format.js';

/** The metric rows shown for a workload's phase, label and formatted value. */
export function metricRows(m: Metrics, phase: Workload['phase'] | 'mix'): [string, string][] {
  const rows: [string, string][] = [];
  const serving = phase === 'serve' || phase === 'decode' || phase === 'prefill' || phase === 'mix';
  rows.push(['tokens/s (system)', si(m.tokensPerSec, '', 4)]);
  if (serving) {
    if (m.ttftSec > 0) rows.push(['TTFT', seconds(m.ttftSec)]);
    if (m.tpotSec > 0) rows.push(['time per output token', seconds(m.tpotSec)]);
    rows.push(['request latency', seconds(m.latencySec)]);
  }
  if (phase === 'train' || phase === 'mix') {
    if (m.stepTimeSec > 0) rows.push(['step time', seconds(m.stepTimeSec)]);
  }
  if (serving && m.tokensPerSecPerUser > 0) rows.push(['tokens/s per user', si(m.tokensPerSecPerUser, '', 4)]);
  if (serving && phase !== 'mix') rows.push(['tokens/s per chip', si(m.tokensPerSecPerChip, '', 4)]);
  rows.push(['MFU', percent(m.mfu)]);
  rows.push([serving && phase !== 'mix' ? 'concurrency (per replica)' : 'batch (sequences)', String(Number(m.batch.toPrecision(6)))]);
  rows.push(['bound by', m.boundBy]);
  rows.push(['energy / token', joules(m.energyJPerToken)]);
  for (const k of ENERGY_PARTS) {
    const v = m.energyBreakdownJ[k];
    rows.push([`  ${k}`, `${joules(v)} (${percent(m.energyJPerToken > 0 ? v / m.energyJPerToken : 0)})`]);
  }
  rows.push(['average power / chip', `${m.powerW.toFixed(0)} W`]);
  rows.push(['peak power / chip', `${m.peakPowerW.toFixed(0)} W`]);
  rows.push(['tokens/s per W', m.tokensPerSecPerW.toPrecision(3)]);
  rows.push(['memory / chip', `${bytes(m.memoryBytesPerChip)}${m.fits ? '' : ' (does not fit)'}`]);
  rows.push(['area', `${m.areaMm2.toFixed(0)} mm2`]);
  rows.push(['chip cost (manufacturing)', usd(m.costUsd)]);
  rows.push(['manufacturing $ / M tokens', usd(m.usdPerMTokens)]);
  rows.push(['TCO $ / chip-hour', usd(m.tcoUsdPerChipHour)]);
  rows.push(['TCO $ / M tokens', usd(m.tcoUsdPerMTokens)]);
  rows.push(['weight SQNR', `${m.quantizationSnrDb.toFixed(1)} dB`]);
  return rows;
}

/** An evaluation as text; `costLines` (how the chip's cost comes about) go after the memory line. */
export function formatEvaluation(e: Evaluation, w: Workload, detail: boolean, costLines?: string): string {
  const lines: string[] = [];
  const p = w.parallelism;
  const d = e.serving?.disaggregated;
  const pool = d ? ` + ${Number((d.prefillInstancesPerDecodeInstance * d.prefillChipsPerInstance).toPrecision(3))} prefill chips` : '';
  const par = w.mix ? 'mix' : `${w.chips} chip${w.chips > 1 ? 's' : ''}${pool}, TP${p.tensor} PP${p.pipeline} DP${p.data}${p.expert > 1 ? ` EP${p.expert}` : ''}`;
  lines.push(`${e.design} on ${e.workload} (${w.mix ? 'mix' : w.phase}, ${par}): ${e.feasible ? 'feasible' : 'INFEASIBLE'}`);
  for (const r of e.reasons) lines.push(`  - ${r}`);
  lines.push('');
  lines.push(table(metricRows(e.metrics, w.mix ? 'mix' : w.phase)));
  if (e.memory) {
    const mm = e.memory;
    const parts = [
      ['weights', mm.weightsBytes],
      ['KV cache', mm.kvCacheBytes],
      ['activations', mm.activationBytes],
      ['gradients', mm.gradientBytes],
      ['optimizer', mm.optimizerBytes],
      ['drafter', mm.drafterBytes],
      ['kept free by the engine', mm.reservedBytes],
    ].filter(([, v]) => (v as number) > 0) as [string, number][];
    lines.push('');
    lines.push(`memory per chip: ${parts.map(([k, v]) => `${k} ${bytes(v)}`).join(', ')}${mm.dramBytes > 0 ? `; ${percent(mm.weightsInDramFraction)} of weights in DRAM` : ''}${mm.weightsInSram ? '; weights resident in SRAM' : ''}`);
  }
  if (e.serving) lines.push('', servingLine(e));
  if (costLines) lines.push('', costLines);
  if (e.components) {
    lines.push('');
    lines.push(table(e.components.map((c) => [c.workload, percent(c.weight), si(c.evaluation.metrics.tokensPerSec, '', 4), joules(c.evaluation.metrics.energyJPerToken), c.evaluation.feasible ? 'feasible' : 'infeasible']), ['component', 'time share', 'tokens/s', 'J/token', '']));
  }
  for (const ph of e.phases) {
    lines.push('');
    lines.push(`${ph.phase}: ${seconds(ph.timeSec)} per chip${e.serving ? ' on the accelerator' : ''} (batch ${Number(ph.batch.toPrecision(4))}), bound by ${ph.boundBy}${ph.exposedCommSec > 0 ? `, exposed communication ${seconds(ph.exposedCommSec)}` : ''}`);
    if (!detail) continue;
    lines.push(
      table(
        ph.steps.map((s) => [
          s.name,
          String(Number(s.repeat.toPrecision(4))),
          seconds(s.timeSec),
          s.boundBy,
          seconds(s.computeSec),
          seconds(s.hbmSec),
          seconds(s.sramSec),
          seconds(s.commSec),
          s.arithmeticIntensity > 0 ? s.arithmeticIntensity.toPrecision(3) : '-',
          // A step's energy is dynamic (its static part is 0: static power is charged per phase).
          joules(totalEnergy(s.energyJ)),
        ]),
        ['step', 'repeat', 'time', 'bound', 'compute', 'HBM', 'SRAM', 'links', 'FLOP/B', 'energy'],
      ),
    );
  }
  if (!detail && e.phases.length > 0) lines.push('', '(--detail shows every step)');
  return lines.join('\n');
}

/** How the serving engine ran: what set its concurrency, its schedule, and a disaggregated system's pools. */
function servingLine(e: Evaluation): string {
  const sv = e.serving!;
  const why = sv.limitedBy === 'fixed' ? 'fixed by the workload' : `limited by ${sv.limitedBy}`;
  const fits = sv.memoryLimit > 0 ? `; ${sv.memoryLimit} fit in memory` : '';
  const iterations = [
    sv.mixedPerCycle > 0 ? `${Number(sv.mixedPerCycle.toPrecision(4))} with prefill (${seconds(sv.mixedIterationSec)})` : '',
    sv.decodeOnlyPerCycle > 0 ? `${Number(sv.decodeOnlyPerCycle.toPrecision(4))} decode-only (${seconds(sv.decodeIterationSec)})` : '',
  ].filter(Boolean);
  const lines = [`serving: concurrency ${Number(sv.concurrency.toPrecision(6))} per replica, ${why}${fits}; ${sv.regime}${iterations.length ? `, iterations per request (as the engine runs them, its host time included): ${iterations.join(' + ')}` : ''}`];
  const d = sv.disaggregated;
  if (d) {
    lines.push(`disaggregated: ${Number(d.prefillInstancesPerDecodeInstance.toPrecision(3))} prefill instance(s) of ${d.prefillChipsPerInstance} ${d.prefillDesign} per decode instance, prefill concurrency ${d.prefillConcurrency}, prefill TTFT ${seconds(d.prefillTtftSec)} + KV transfer ${seconds(d.kvTransferSec)} (${bytes(d.kvBytesPerRequest)} per request)`);
  }
  return lines.join('\n');
}
