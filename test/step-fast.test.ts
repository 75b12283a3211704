import { listDesignPresets, loadDesign } from '../src/chip/load.js';
import type { Chip } from '../src/chip/chip.js';
import { ChipContext } from '../src/eval/context.js';
import { IterationCoster } from '../src/eval/serving-iteration.js';
import { measureTimes } from '../src/eval/step-fast.js';
import { measureStep, newScratch, type Placement, type StepScratch } from '../src/eval/step-cost.js';
import { forwardSteps, uniformStep } from '../src/eval/step-lists.js';
import { buildTrainingSteps, trainingSteps } from '../src/eval/training-steps.js';
import { phaseOf, PhaseTotals, phaseTotals, runPhase } from '../src/eval/phase.js';
import { loadWorkload } from '../src/workload/load.js';
import type { Step } from '../src/workload/step.js';
import type { Workload } from '../src/workload/workload.js';

/**
 * The search's step loop (measureTimes, src/eval/step-fast.ts) and a probe's iteration time
 * (IterationCoster.timeOf) repeat arithmetic that measureStep and IterationCoster.cost do: they
 * must give the same bits, or a search's results would move. Checked on every design preset, on
 * steps of dense, MoE, fp4 and speculative workloads, with weights in HBM, in SRAM and partly in
 * the DRAM tier.
 */
const WORKLOADS = ['llama-3-70b-serve', 'llama-3-70b-serve-fp4', 'mixtral-8x7b-serve', 'deepseek-v3-serve', 'llama-3-8b-spec-decode', 'llama-3-70b-train'];
const PLACEMENTS: Placement[] = [
  { weightsInSram: false, expertsInDramFraction: 0, denseInDramFraction: 0, innerChips: {} },
  { weightsInSram: true, expertsInDramFraction: 0, denseInDramFraction: 0, innerChips: {} },
  { weightsInSram: false, expertsInDramFraction: 0.5, denseInDramFraction: 0.25, innerChips: { tensor: 1, data: 8 } },
];

function stepsOf(w: Workload): Step[] {
  if (w.phase === 'train') {
    const t = buildTrainingSteps(w);
    return [...t.microBatchSteps, ...t.syncSteps, ...t.optimizerSteps];
  }
  const decode = forwardSteps(w, { batch: 37, queries: 1, context: 3000, logitsTokens: 37 }, 37);
  const prefill = forwardSteps(w, { batch: 3, queries: 700, context: 350, logitsTokens: 3 }, 2100);
  // A decode step with no sequences (an iteration without decoders): no work, no kernel.
  const empty = decode.filter((s) => s.kind === 'attention').map((s) => ({ ...s, batch: 0 }) as Step);
  // Decode attention whose RoPE is wider than the head (the measured tables' heads of 64): RoPE in a kernel of its own.
  const wideRope = decode.filter((s) => s.kind === 'attention').map((s) => ({ ...s, ropeDim: 2 * (s as { qkDim: number }).qkDim }) as Step);
  return [...decode, ...prefill, ...empty, ...wideRope, ...decode.map(uniformStep), ...wideRope.map(uniformStep)];
}

const fields = (o: StepScratch) => [o.timeSec, o.boundBy, o.eCompute, o.eSram, o.eHbm, o.eInterconnect];

describe('measureTimes gives measureStep\'s bits', () => {
  const workloads = WORKLOADS.map((n) => loadWorkload(n));
  test.each(listDesignPresets())('%s', (design) => {
    const chip: Chip = loadDesign(design);
    let compared = 0;
    for (const w of workloads) {
      for (const p of PLACEMENTS) {
        const cx = new ChipContext(chip);
        for (const s of stepsOf(w)) {
          const full = newScratch();
          let error: unknown;
          try {
            measureStep(cx, s, p, full);
          } catch (e) {
            error = e;
          }
          const fast = newScratch();
          if (error) {
            // A step the chip cannot run fails the same way.
            expect(() => measureTimes(cx, s, p, fast)).toThrow((error as Error).message);
            continue;
          }
          measureTimes(cx, s, p, fast);
          expect(fields(fast)).toEqual(fields(full));
          fields(fast).forEach((v, i) => expect(Object.is(v, fields(full)[i])).toBe(true));
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(100);
  });
});

describe('a collective read back from the last one measured', () => {
  // measureTimes keeps the last collective's cost by op, bytes, group, group size, the group's
  // inner chips and the context: a step that differs in any of them, after one that was kept, is timed afresh.
  test('every field of the key matters, each change against measureStep', () => {
    const chip = loadDesign('h100-sxm');
    const base = { kind: 'collective', name: 'attn all-reduce (TP)', op: 'all-reduce', group: 'tensor', groupSize: 8, bytes: 1 << 20, rowBytes: 8192, overlap: undefined, repeat: 1 } as Step;
    const inPod = PLACEMENTS[0];
    const across = { ...inPod, innerChips: { tensor: 1, data: 64 } };
    // The tensor group nested in 64 chips of another: it leaves the pod.
    const nested = { ...inPod, innerChips: { tensor: 64 } };
    const cases: [Step, Placement][] = [
      [base, inPod],
      [{ ...base, name: 'ffn all-reduce (TP)' } as Step, inPod],
      [{ ...base, bytes: 1 << 21 } as Step, inPod],
      [{ ...base, groupSize: 4 } as Step, inPod],
      [{ ...base, op: 'all-gather' } as Step, inPod],
      [{ ...base, group: 'data', groupSize: 8 } as Step, across],
      [base, across],
      [base, inPod],
      [base, nested],
    ];
    const cx = new ChipContext(chip);
    const seen: number[] = [];
    for (const [s, p] of cases) {
      const fast = newScratch();
      const full = newScratch();
      measureTimes(cx, s, p, fast);
      measureStep(new ChipContext(chip), s, p, full);
      fields(fast).forEach((v, i) => expect(Object.is(v, fields(full)[i])).toBe(true));
      seen.push(fast.timeSec);
    }
    // The changes change the time (so a stale read back would have shown): bytes, group size, op,
    // group, and the inner chips that take the tensor group out of the pod.
    for (const i of [2, 3, 4, 5, 8]) expect(seen[i]).not.toBe(seen[i - 1]);
  });

  test('the row width is part of the key: on A100 (a row per core) one 8 KiB row and 32 rows of 256 bytes differ', () => {
    const chip = loadDesign('a100-sxm');
    const wide = { kind: 'collective', name: 'attn all-reduce (TP)', op: 'all-reduce', group: 'tensor', groupSize: 8, bytes: 8192, rowBytes: 8192, overlap: undefined, repeat: 1 } as Step;
    const narrow = { ...wide, rowBytes: 256 } as Step;
    const cx = new ChipContext(chip);
    const seen: number[] = [];
    for (const s of [wide, narrow, wide]) {
      const fast = newScratch();
      const full = newScratch();
      measureTimes(cx, s, PLACEMENTS[0], fast);
      measureStep(new ChipContext(chip), s, PLACEMENTS[0], full);
      fields(fast).forEach((v, i) => expect(Object.is(v, fields(full)[i])).toBe(true));
      seen.push(fast.timeSec);
    }
    expect(seen[1]).toBeLessThan(seen[0]);
    expect(seen[2]).toBe(seen[0]);
  });
});

describe('IterationCoster.timeOf gives cost().timeSec', () => {
  const contents = [
    { decoders: 64, prefillTokens: 0, completions: 0 },
    { decoders: 63.7, prefillTokens: 8128.4, completions: 3.97 },
    { decoders: 0, prefillTokens: 4096, completions: 2 },
    { decoders: 200, prefillTokens: 500, completions: 0 },
    { decoders: 1, prefillTokens: 0, completions: 1 },
  ];
  test.each(['llama-3-70b-serve', 'llama-3-8b-spec-decode', 'mixtral-8x7b-serve'])('%s', (name) => {
    const w = loadWorkload(name);
    for (const design of ['h100-sxm', 'tpu7x', 'mi300x']) {
      const chip = loadDesign(design);
      for (const p of PLACEMENTS.slice(0, 2)) {
        const probe = new IterationCoster(new ChipContext(chip), w, p);
        const full = new IterationCoster(new ChipContext(chip), w, p);
        for (const it of contents) expect(Object.is(probe.timeOf(it), full.cost(it, false).timeSec)).toBe(true);
        // The costs timeOf kept serve cost() unchanged (names, batch and all).
        for (const it of contents) expect(probe.cost(it, false)).toEqual(full.cost(it, false));
      }
    }
  });
});

describe('phase totals without a PhaseCost per phase', () => {
  test('phaseOf(phaseTotals) is runPhase without detail, and runPhase with detail but its steps, bit for bit', () => {
    for (const name of WORKLOADS) {
      const w = loadWorkload(name);
      const steps = stepsOf(w);
      for (const design of ['h100-sxm', 'tpu7x']) {
        const cx = new ChipContext(loadDesign(design));
        for (const p of PLACEMENTS) {
          const t = new PhaseTotals();
          phaseTotals(cx, steps, p, t);
          const built = phaseOf('x', 7, t);
          expect(built).toEqual(runPhase(cx, 'x', 7, steps, p, false));
          expect(built).toEqual({ ...runPhase(cx, 'x', 7, steps, p, true), steps: [] });
          expect(Object.is(built.timeSec, runPhase(cx, 'x', 7, steps, p, false).timeSec)).toBe(true);
          // Built once per totals written.
          expect(phaseOf('x', 7, t)).toBe(built);
        }
      }
    }
  });

  test('costers share their kept records: one evicts another, answers and earlier costs unchanged', () => {
    const w = loadWorkload('llama-3-70b-serve');
    const a = new IterationCoster(new ChipContext(loadDesign('h100-sxm')), w, PLACEMENTS[0]);
    const b = new IterationCoster(new ChipContext(loadDesign('tpu7x')), w, PLACEMENTS[0]);
    const dec = (d: number) => ({ decoders: d, prefillTokens: 0, completions: 0 });
    const mixed = (d: number) => ({ decoders: d, prefillTokens: 8192 - d, completions: 2 });
    const before = a.cost(dec(64), false);
    const snapshot = JSON.stringify(before);
    const mixA = a.cost(mixed(64), false);
    // b at the same counts (its own chip): it must not read a's kept totals.
    const fresh = (cx: string) => new IterationCoster(new ChipContext(loadDesign(cx)), w, PLACEMENTS[0]);
    expect(b.cost(dec(64), false)).toEqual(fresh('tpu7x').cost(dec(64), false));
    expect(b.timeOf(mixed(64))).toBe(fresh('tpu7x').cost(mixed(64), false).timeSec);
    expect(b.cost(dec(64), false).timeSec).not.toBe(before.timeSec);
    // a again, its records taken by b: costed afresh, the same bits; what it returned before is unchanged.
    for (const d of [64, 65, 66, 64]) {
      expect(a.cost(dec(d), false)).toEqual(fresh('h100-sxm').cost(dec(d), false));
      expect(a.timeOf(mixed(d))).toBe(fresh('h100-sxm').timeOf(mixed(d)));
    }
    expect(a.cost(mixed(64), false)).toEqual(mixA);
    expect(JSON.stringify(before)).toBe(snapshot);
  });
});

describe('uniformStep', () => {
  // The copies ScaledSteps rewrites share one shape whose numeric fields hold numbers only (0 for
  // another kind's), so that rewriting them stores in place (src/eval/step-lists.ts); a step's own
  // fields and an absent RoPE width are kept as they are.
  const NUMERIC = ['repeat', 'm', 'k', 'n', 'count', 'bFraction', 'batch', 'queries', 'context', 'heads', 'kvHeads', 'qkDim', 'vDim', 'kvBytesPerToken', 'elements', 'flopsPerElement', 'bytesPerElement', 'rows', 'rowBytes', 'groupSize', 'bytes'];
  test('every kind: numeric fields are numbers, its own fields unchanged', () => {
    const w = loadWorkload('mixtral-8x7b-serve');
    const steps = [...forwardSteps(w, { batch: 5, queries: 1, context: 900, logitsTokens: 5 }, 5), ...stepsOf(loadWorkload('llama-3-70b-train'))];
    const kinds = new Set<string>();
    for (const s of steps) {
      const u = uniformStep(s) as unknown as Record<string, unknown>;
      const own = s as unknown as Record<string, unknown>;
      kinds.add(s.kind);
      for (const key of NUMERIC) expect(typeof u[key]).toBe('number');
      for (const key of Object.keys(own)) expect(u[key]).toBe(own[key]);
      if (s.kind === 'attention') expect(u.ropeDim).toBe(own.ropeDim);
      else expect(u.ropeDim).toBeUndefined();
    }
    expect([...kinds].sort()).toEqual(['attention', 'collective', 'elementwise', 'gather', 'matmul']);
  });
});

describe('training lists in the uniform shape cost what the built lists cost', () => {
  // trainingSteps (what an evaluation costs) copies buildTrainingSteps' lists with uniformStep.
  test.each(['h100-sxm', 'tpu7x', 'mi300x'])('%s', (design) => {
    const w = loadWorkload('llama-3-70b-train');
    const kept = trainingSteps(w);
    const built = buildTrainingSteps(w);
    for (const p of PLACEMENTS) {
      for (const list of ['microBatchSteps', 'syncSteps', 'optimizerSteps'] as const) {
        const chip = loadDesign(design);
        for (const detail of [false, true]) {
          const a = runPhase(new ChipContext(chip), list, 4, kept[list], p, detail);
          const b = runPhase(new ChipContext(chip), list, 4, built[list], p, detail);
          expect(a).toEqual(b);
          expect(Object.is(a.timeSec, b.timeSec) && Object.is(a.energyJ.compute, b.energyJ.compute)).toBe(true);
        }
      }
    }
    expect(kept.microBatchSteps.length).toBe(built.microBatchSteps.length);
    // The sync list's two parts (costed apart by training.ts): the backward pass, then the gradient all-reduce.
    expect([...kept.lastBackwardSteps, ...kept.gradientSyncSteps]).toEqual(kept.syncSteps);
    expect(kept.lastBackwardSteps.every((s) => s.kind !== 'collective') && kept.gradientSyncSteps.every((s) => s.kind === 'collective')).toBe(true);
    expect(kept.gradientSyncSteps.length).toBe(1);
  });
});
