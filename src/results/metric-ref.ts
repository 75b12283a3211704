import { ChipdseError } from '../errors.js';
import { METRIC_NAMES, metricValue, type MetricName, type Metrics } from './metrics.js';

/** A metric of all workloads (aggregated) or of one, by its name. */
export interface MetricRef {
  name: MetricName;
  workload: string | undefined;
  /** As written: `tokensPerSec`, or `WORKLOAD:metric`. */
  label: string;
}

const KNOWN: readonly string[] = METRIC_NAMES;

/** A constraint as a space and a run write it: `metric op value`; the metric may name one workload, `WORKLOAD:metric`. */
export const CONSTRAINT_RE = /^\s*([A-Za-z0-9_.:-]+)\s*(<=|>=|==|!=|<|>)\s*(\S+)\s*$/;

/** The metric a constraint's text names, or undefined when it names none. */
export function constraintMetric(text: string): MetricRef | undefined {
  const m = text.match(CONSTRAINT_RE);
  return m ? parseMetricLabel(m[1]) : undefined;
}

/**
 * Reads a metric label: a metric name (`tokensPerSec`), or `WORKLOAD:metric` for one workload.
 * The label is split at its last colon: metric names hold none, while a workload's name may
 * (`team:llama-serve:tokensPerSec` is `tokensPerSec` of workload `team:llama-serve`).
 * Undefined when the part after the colon (or the whole label) names no metric.
 */
export function parseMetricLabel(label: string): MetricRef | undefined {
  if (KNOWN.includes(label)) return { name: label as MetricName, workload: undefined, label };
  const colon = label.lastIndexOf(':');
  const metric = label.slice(colon + 1);
  if (colon > 0 && KNOWN.includes(metric)) return { name: metric as MetricName, workload: label.slice(0, colon), label };
  return undefined;
}

/** The label of a metric, of one workload when named: the inverse of `parseMetricLabel`. */
export function metricLabel(name: MetricName, workload?: string): string {
  return workload === undefined ? name : `${workload}:${name}`;
}

export const UNKNOWN_METRIC_HINT = `expected one of ${METRIC_NAMES.join(', ')}, or WORKLOAD:metric; chipdse metrics says what each means`;

/** A metric label that must name a known metric, and a workload among `workloads` when it names one. */
export function metricOf(label: string, workloads: string[]): MetricRef {
  const ref = parseMetricLabel(label);
  if (!ref) throw new ChipdseError(`unknown metric "${label}" (${UNKNOWN_METRIC_HINT})`);
  if (ref.workload !== undefined && !workloads.includes(ref.workload)) throw new ChipdseError(`metric "${label}": no workload "${ref.workload}" in this run (${workloads.join(', ')})`);
  return ref;
}

/**
 * A metric over the workloads: of one workload when named, else their geometric mean (scale-free,
 * and exact for chip-level metrics that every workload shares), or the arithmetic mean when a
 * value is zero. With one workload, simply its value (exp(log v) is not always v).
 */
export function aggregateMetric(metrics: Record<string, Metrics>, ref: MetricRef): number {
  if (ref.workload !== undefined) return workloadMetric(metrics, ref, ref.workload);
  let only: Metrics | undefined;
  let n = 0;
  for (const k in metrics) {
    only = metrics[k];
    n++;
  }
  if (n === 1) return metricValue(only!, ref.name);
  const vs = Object.values(metrics).map((m) => metricValue(m, ref.name));
  if (vs.every((v) => v > 0)) return Math.exp(vs.reduce((a, v) => a + Math.log(v), 0) / vs.length);
  return vs.reduce((a, v) => a + v, 0) / vs.length;
}

/** A metric of one named workload. */
export function workloadMetric(metrics: Record<string, Metrics>, ref: MetricRef, workload: string): number {
  const m = metrics[workload];
  if (!m) throw new ChipdseError(`metric ${ref.label}: no workload named "${workload}" in this search (${Object.keys(metrics).join(', ')})`);
  return metricValue(m, ref.name);
}
