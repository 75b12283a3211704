import type { Diagnosis } from '../results/diagnosis.js';
import { paramText, percent, table } from './format.js';

const num = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(4)).toString() : '-');

/** What rules a run's designs out, and its designs closest to feasible, as text (search summary, `chipdse front`). */
export function formatDiagnosis(d: Diagnosis): string {
  const lines = [`no feasible design among ${d.evaluated} evaluated${d.invalid ? ` (${d.invalid} invalid)` : ''}; what rules them out, by share of the evaluated designs:`];
  for (const c of d.causes) {
    const note = c.best !== undefined ? `the best design reaches ${num(c.best)}` : c.cause === c.example ? '' : `e.g. ${c.example}`;
    lines.push(`${percent(c.share).padStart(8)}  ${c.cause}${note ? `  (${note})` : ''}`);
  }
  if (d.closest.length > 0) {
    const params = Object.keys(d.closest[0].params);
    lines.push('', `closest to feasible (smallest constraint violation${d.metrics.length ? ', with the constrained metrics' : ''}):`);
    lines.push(table(d.closest.map((p) => [p.key, ...params.map((k) => paramText(p.params[k])), num(p.violation), ...d.metrics.map((m) => num(p.values[m]))]), ['genome', ...params, 'violation', ...d.metrics]));
  }
  return lines.join('\n');
}
