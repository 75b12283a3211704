import type { Precision } from '../precision/formats.js';
import type { TraceFile } from './schema.js';
import type { Step } from './step.js';
import { toPrecision, type RawPrecision } from './precision.js';

/**
 * A trace file (a per-chip step list recorded or written by hand, instead of a model), converted
 * once when its workload is loaded: precisions canonical, steps in the evaluator's form.
 */
export interface TraceFileRun {
  name: string;
  /** Tokens one run of the steps produces (for per-token metrics). */
  tokens: number;
  batch: number;
  chips: number;
  memory: { weightsBytes: number; kvCacheBytes: number; activationBytes: number };
  steps: Step[];
}

export function traceFileRun(tr: TraceFile): TraceFileRun {
  // Equal precisions become one object: the evaluator looks compute formats up by precision.
  const seen = new Map<string, Precision>();
  const prec = (raw: RawPrecision) => {
    const p = toPrecision(raw);
    const key = `${p.format}/${p.blockSize}/${p.scaleBits}/${p.scale ?? ''}`;
    let same = seen.get(key);
    if (!same) seen.set(key, (same = p));
    return same;
  };
  const steps: Step[] = tr.steps.map((s) => {
    switch (s.kind) {
      case 'matmul':
        return { ...s, a: prec(s.a), b: prec(s.b), out: prec(s.out ?? s.a), bFraction: 1 };
      case 'attention': {
        const p = prec(s.precision);
        const { precision: _drop, ...rest } = s;
        return { ...rest, compute: p, act: p };
      }
      case 'collective':
        return { ...s, overlap: undefined };
      default:
        return s;
    }
  });
  return { name: tr.name, tokens: tr.tokens, batch: tr.batch, chips: tr.chips, memory: tr.memory, steps };
}
