import type { ModelConfig } from '../workload/model.js';
import { attentionSteps, lmHeadSteps, tokenSteps, type PassPrecisions, type PassRouting } from '../workload/passes.js';
import type { Step } from '../workload/step.js';
import type { Workload } from '../workload/workload.js';
import type { ChipContext } from './context.js';
import { queriesPerDecode } from './memory.js';
import { phaseOf, PhaseSum, PhaseTotals, phaseTotals, runPhase } from './phase.js';
import type { Placement } from './step-cost.js';
import { GROWN, grownBounds, grownLowerBound } from './step-bound.js';
import { pipelineSend, precisionsOf, ScaledSteps, splitOf, uniformStep, workloadMemo } from './step-lists.js';
import type { PhaseCost, StepCost } from './types.js';

/**
 * What one engine iteration carries, per micro-batch of a replica (the pass runs through all
 * layers, so its time is that of the micro-batch's trip through the pipeline): a decode token (or
 * the drafted tokens to verify) for each of `decoders` sequences, and `prefillTokens` prompt
 * tokens from chunks of requests being prefilled, `completions` of which finish their prompt.
 */
export interface IterationContent {
  decoders: number;
  prefillTokens: number;
  completions: number;
}

/**
 * The step lists an iteration is costed from, per workload (they do not depend on the chip), each
 * rewritten in place for the token or sequence count asked (ScaledSteps).
 */
interface IterationLists extends ModelLists {
  drafter: ModelLists | undefined;
}

/** One model's lists (the target's, or the drafter's). */
interface ModelLists {
  /** Token-proportional steps for x tokens on the chip, and (the target's) pipeline sends of those tokens. */
  tokens: ScaledSteps;
  /** A decode-only iteration of x decoders in one list: their tokens, their attention at the mean decode context, their logits. */
  decodeIteration: ScaledSteps;
  /**
   * An iteration's decoders' attention and its logits (two parameters) in one list; its tokens
   * and its prompts' attention apart (while the budget is full a search's mixed iterations all
   * carry the same tokens, costed once).
   */
  decodersAndLogits: ScaledSteps;
  /** One request's whole prefill attention (its prompt's computed tokens over their causal context). */
  prefillAttention: Step[];
}

/**
 * The last two costs of a step list, by its parameters: their totals (written over in turn), and
 * each one's name, so that the PhaseCost built from it later is the one runPhase would have made.
 * The records are shared by every coster (one evaluation after another: a coster lives for one
 * design), each held by the coster that wrote it last, `owner`; another coster's are empty to it.
 */
interface Kept {
  /** The id of the coster that wrote the record last (a number: a reference would keep that coster's chip alive, and GC would copy it). */
  owner: number;
  a0: number;
  b0: number;
  c0: number;
  name0: string;
  t0: PhaseTotals;
  a1: number;
  b1: number;
  c1: number;
  name1: string;
  t1: PhaseTotals;
}

/** The kept costs' records, by slot (IterationCoster.kept), shared by all costers. */
const KEPT: (Kept | undefined)[] = [undefined, undefined, undefined, undefined, undefined];

/**
 * A request's prefill attention (the target's, 0, and the drafter's, 1) without detail: its totals,
 * costed once per coster, in records shared by every coster as KEPT is (a PhaseCost of its own cost
 * ~430 B a design to allocate; bench/NOTES.md, e33).
 */
const ONCE: ({ owner: number; t: PhaseTotals } | undefined)[] = [undefined, undefined];

/** The last coster's id (IterationCoster.id). */
let costers = 0;

/**
 * A concurrency search's closing probe (serving-search.ts): while `on`, timeOf answers a decode-only
 * iteration at more decoders than a kept cost with a lower bound on its time (decodeLowerBound)
 * instead of costing it, where it has a certain one, and sets `bounded`; and a mixed iteration
 * whose decoders and logits are more than a kept cost's (no drafter) with its tokens and prompts'
 * attention costed and its decoders-and-logits list's time bounded from below (mixedBounds), and
 * sets `mixedBounded` and `mixedRatio`, the iteration's time with the list's upper bound over that
 * with its lower one (at least the costed time's ratio to the answer). `enabled` false turns the
 * bounds off (the search then costs every probe: tests compare the two); `mixed` false the mixed
 * iteration's alone.
 */
export const closingProbe = { enabled: true, mixed: true, on: false, bounded: false, mixedBounded: false, mixedRatio: NaN };

/** Mean context of a decoding sequence: the prompt and half the output. */
export function decodeContextTokens(w: Workload): number {
  return Math.min(w.serving.maxContextTokens ?? Infinity, w.inputTokens + w.outputTokens / 2);
}

/** Prompt tokens computed per request (the prefix-cache hits are not), and those found in the cache. */
export function computedPromptTokens(w: Workload): { computed: number; cached: number } {
  return { computed: computedPromptOf(w), cached: cachedPromptOf(w) };
}

/** Prompt tokens found in the prefix cache per request (computedPromptTokens(w).cached, without the object). */
function cachedPromptOf(w: Workload): number {
  return w.inputTokens * w.serving.prefixCacheHitRate;
}

/** Prompt tokens computed per request (computedPromptTokens(w).computed, without the object). */
export function computedPromptOf(w: Workload): number {
  return w.inputTokens - cachedPromptOf(w);
}

function modelLists(w: Workload, m: ModelConfig, tensor: number, withSends: boolean): ModelLists {
  // The drafter runs on its own tensor group, without expert or context parallelism.
  const split = m === w.model ? splitOf(w) : { tensor, expert: 1 };
  const prec: PassPrecisions = precisionsOf(w);
  const routing: PassRouting = { expertGini: w.serving.expertRoutingGini };
  const q = m === w.model ? queriesPerDecode(w) : 1;
  const ctx = decodeContextTokens(w);
  const { computed, cached } = computedPromptTokens(w);
  // Step names say which part of the iteration a step belongs to (reports list an iteration's steps together).
  const named = (steps: Step[], what: string) => steps.map((s) => ({ ...s, name: `${prefix}${s.name}${what}` }));
  const prefix = m === w.model ? '' : 'draft: ';
  const tokens = (x: number) => named([...tokenSteps(m, x, split, prec, routing), ...(withSends ? pipelineSend(w, x, m.hiddenSize) : [])], '');
  const lmHead = (x: number) => named(lmHeadSteps(m, x, split, prec), '');
  const decodeAttention = (x: number) => named(attentionSteps(m, { batch: x, queries: q, context: ctx, logitsTokens: 0 }, split, prec), ' (decode)');
  return {
    tokens: new ScaledSteps(tokens),
    decodeIteration: new ScaledSteps((x) => [...tokens(q * x), ...decodeAttention(x), ...lmHead(q * x)]),
    decodersAndLogits: new ScaledSteps((d, l) => [...decodeAttention(d), ...lmHead(l)], 2),
    prefillAttention: named(attentionSteps(m, { batch: 1, queries: computed, context: cached + (computed + 1) / 2, logitsTokens: 0 }, split, prec), ' (prefill)').map(uniformStep),
  };
}

const iterationLists = workloadMemo((w: Workload): IterationLists => {
  const target = modelLists(w, w.model!, w.parallelism.tensor, true);
  let drafter: ModelLists | undefined;
  if (w.speculative) {
    const dm = w.speculative.drafter;
    drafter = modelLists(w, dm, dm.heads % w.parallelism.tensor === 0 ? w.parallelism.tensor : 1, false);
  }
  return { ...target, drafter };
});

/**
 * Costs engine iterations of one workload on one chip (an evaluation's context) with the weights
 * where `placement` puts them. A mixed iteration runs every token through the token-proportional
 * steps (matrix products, norms, collectives) once, the decoders' attention over their context,
 * and the prefill chunks' attention (a request's prefill attention is the same however its prompt
 * is chunked: each chunk attends to the chunks before it). With speculative decoding the drafter
 * proposes k tokens per decoder first (k single-token passes) and prefills the prompts too.
 */
export class IterationCoster {
  private readonly lists: IterationLists;
  private readonly q: number;
  private readonly c: number;
  private readonly computedPrompt: number;
  private readonly drafterPlacement: Placement;
  /** Which coster wrote a kept record (Kept.owner). */
  private readonly id = ++costers;

  constructor(
    private readonly cx: ChipContext,
    private readonly w: Workload,
    private readonly placement: Placement,
  ) {
    this.lists = iterationLists(w);
    this.q = queriesPerDecode(w);
    this.c = w.parallelism.context;
    this.computedPrompt = computedPromptOf(w);
    // (Read only where the workload has a drafter.)
    this.drafterPlacement = this.lists.drafter ? { ...placement, expertsInDramFraction: 0, denseInDramFraction: 0 } : placement;
  }

  /**
   * The last two costs of each step list, by count: a concurrency search alternates between a
   * mixed iteration (the same token count every time while the budget is full) and a decode-only one.
   */
  /**
   * The last two costs per list, by slot: 0 tokens, 1 decode-only iterations, 2 decoders and
   * logits, 3 and 4 the drafter's (KEPT, shared: allocating a coster's own cost ~1.6 kB a design).
   */
  private readonly kept: (Kept | undefined)[] = KEPT;

  /**
   * The cost of `list` (kept in `slot`) at (a, b, c): its parameters, as many as it has. Without
   * detail, the kept totals (their time is all a probe reads; `phase` builds the PhaseCost).
   */
  private run(slot: number, name: string, list: ScaledSteps, placement: Placement, detail: boolean, a: number, b = 0, c = 0): PhaseCost | PhaseTotals {
    if (detail) return runPhase(this.cx, name, a, list.at(a, b, c), placement, true);
    let k = this.kept[slot];
    if (k === undefined) this.kept[slot] = k = { owner: this.id, a0: NaN, b0: NaN, c0: NaN, name0: '', t0: new PhaseTotals(), a1: NaN, b1: NaN, c1: NaN, name1: '', t1: new PhaseTotals() };
    else if (k.owner !== this.id) {
      k.owner = this.id;
      k.a0 = k.a1 = NaN;
    }
    if (k.a0 === a && k.b0 === b && k.c0 === c) return k.t0;
    if (k.a1 === a && k.b1 === b && k.c1 === c) return k.t1;
    // The older totals' record is written over with the new ones.
    const t = k.t1;
    phaseTotals(this.cx, list.at(a, b, c), placement, t);
    t.cost = undefined;
    k.a1 = k.a0;
    k.b1 = k.b0;
    k.c1 = k.c0;
    k.name1 = k.name0;
    k.t1 = k.t0;
    k.a0 = a;
    k.b0 = b;
    k.c0 = c;
    k.name0 = name;
    k.t0 = t;
    return t;
  }

  /** run()'s cost as a PhaseCost: kept totals built into one (once per totals), named and sized as when they were costed. */
  private phase(slot: number, name: string, list: ScaledSteps, placement: Placement, detail: boolean, a: number, b = 0, c = 0): PhaseCost {
    const r = this.run(slot, name, list, placement, detail, a, b, c);
    if (!(r instanceof PhaseTotals)) return r;
    const k = this.kept[slot]!;
    return r === k.t0 ? phaseOf(k.name0, k.a0, r) : phaseOf(k.name1, k.a1, r);
  }

  /** A request's prefill attention with detail (its PhaseCost), or without: its kept totals (costed once per coster). */
  private once(name: string, steps: Step[], placement: Placement, detail: boolean, key: 'target' | 'drafter'): PhaseCost | PhaseTotals {
    if (detail) return runPhase(this.cx, name, 1, steps, placement, true);
    const slot = key === 'target' ? 0 : 1;
    let k = ONCE[slot];
    if (k === undefined) ONCE[slot] = k = { owner: 0, t: new PhaseTotals() };
    if (k.owner !== this.id) {
      // As runPhase(..., false) costs it (its PhaseCost is phaseOf these totals).
      k.owner = 0;
      phaseTotals(this.cx, steps, placement, k.t);
      k.t.cost = undefined;
      k.owner = this.id;
    }
    return k.t;
  }

  /** Whether once() without detail has this coster's totals kept (it then costs nothing): what the step-counting benchmarks ask. */
  prefillKept(key: 'target' | 'drafter'): boolean {
    return ONCE[key === 'target' ? 0 : 1]?.owner === this.id;
  }

  /** once()'s cost added to `sum` `times` times: its kept totals without detail (where summedFromTotals), else its PhaseCost. */
  private addOnce(sum: PhaseSum, steps: StepCost[] | undefined, times: number, name: string, list: Step[], placement: Placement, detail: boolean, key: 'target' | 'drafter'): void {
    const r = this.once(name, list, placement, detail, key);
    if (!(r instanceof PhaseTotals)) sum.addCost(r, times, steps);
    else if (summedFromTotals.enabled) sum.addTotals(r, times);
    else sum.addCost(phaseOf(name, 1, r), times, steps);
  }

  /**
   * One iteration's time alone, the same bits as cost(it, false).timeSec (the same parts, summed in
   * the same order, from the same kept costs): what a concurrency search's probe reads, without
   * building the summed phase.
   */
  timeOf(it: IterationContent): number {
    const { lists, q, c } = this;
    const prefillShare = this.computedPrompt > 0 ? it.prefillTokens / this.computedPrompt : 0;
    const p = this.placement;
    const d = lists.drafter;
    const name = it.prefillTokens > 0 ? (it.decoders > 0 ? 'iteration (prefill chunk + decode)' : 'iteration (prefill)') : 'iteration (decode)';
    const tokens = q * it.decoders + it.prefillTokens / c;
    const logits = q * it.decoders + it.completions / c;
    // The same calls as cost() makes (their kept costs, names included, serve the full evaluation after).
    if (prefillShare === 0 && it.completions === 0 && !d) {
      if (closingProbe.on) {
        const bound = this.decodeLowerBound(it.decoders);
        if (bound === bound) {
          closingProbe.bounded = true;
          return bound;
        }
      }
      return this.run(1, name, lists.decodeIteration, p, false, it.decoders).timeSec;
    }
    // As cost() adds its parts (PhaseSum: those run 0 times or fewer left out).
    let t = 0;
    t += this.run(0, 'tokens', lists.tokens, p, false, tokens).timeSec * 1;
    // With the decoders-and-logits list bounded: the time with its upper bound beside (NaN otherwise).
    let upper = NaN;
    if (logits > 0) {
      if (closingProbe.on && !d && closingProbe.mixed && this.mixedBounds(it.decoders, logits)) {
        upper = t + GROWN.upper * 1;
        t += GROWN.lower * 1;
      } else t += this.run(2, 'decoders and logits', lists.decodersAndLogits, p, false, it.decoders, logits).timeSec * 1;
    }
    if (prefillShare > 0) {
      const pre = this.once('prefill attention', lists.prefillAttention, p, false, 'target').timeSec * prefillShare;
      t += pre;
      upper += pre;
    }
    if (upper === upper) {
      closingProbe.mixedBounded = true;
      closingProbe.mixedRatio = upper / t;
    }
    if (d && this.w.speculative) {
      const k = this.w.speculative.draftTokens;
      const dp = this.drafterPlacement;
      if (it.decoders > 0) {
        const draft = this.run(3, 'draft', d.decodeIteration, dp, false, it.decoders);
        if (k > 0) t += draft.timeSec * k;
      }
      if (prefillShare > 0) {
        t += this.run(4, 'draft prefill tokens', d.tokens, dp, false, it.prefillTokens).timeSec * 1;
        t += this.once('draft prefill attention', d.prefillAttention, dp, false, 'drafter').timeSec * prefillShare;
      }
    }
    return t;
  }

  /**
   * A lower bound on the time of a decode-only iteration of `decoders` sequences (no drafter), from
   * this coster's kept cost at the most decoders below it (grownLowerBound); NaN when it has none,
   * when `decoders` is kept itself (then its cost is free), or when the bound is not certain.
   */
  decodeLowerBound(decoders: number): number {
    const k = this.kept[1];
    if (k === undefined || k.owner !== this.id || this.lists.drafter || k.a0 === decoders || k.a1 === decoders) return NaN;
    // The kept count nearest below (a count not yet costed is NaN, below nothing).
    const below0 = k.a0 < decoders;
    const below1 = k.a1 < decoders;
    if (!below0 && !below1) return NaN;
    const use0 = below0 && !(below1 && k.a1 > k.a0);
    return grownLowerBound(this.cx, this.lists.decodeIteration, use0 ? k.a0 : k.a1, decoders, this.placement, use0 ? k.t0 : k.t1);
  }

  /**
   * Bounds (GROWN) on the time of the decoders-and-logits list at (`decoders`, `logits`) from this
   * coster's kept cost at the latest counts at or below both (grownBounds: the list has no
   * collective); false when it has none, when the counts are kept themselves (then their cost is
   * free), or when the bounds are not certain.
   */
  mixedBounds(decoders: number, logits: number): boolean {
    const k = this.kept[2];
    if (k === undefined || k.owner !== this.id || (k.a0 === decoders && k.b0 === logits) || (k.a1 === decoders && k.b1 === logits)) return false;
    const use0 = k.a0 <= decoders && k.b0 <= logits;
    if (!use0 && !(k.a1 <= decoders && k.b1 <= logits)) return false;
    return grownBounds(this.cx, this.lists.decodersAndLogits, use0 ? k.a0 : k.a1, use0 ? k.b0 : k.b1, decoders, logits, use0 ? k.t0 : k.t1);
  }

  /**
   * One iteration's cost (a full pass of the micro-batch); `detail` keeps its steps. Its parts run
   * one after another, summed by PhaseSum; without detail from their kept totals (summedFromTotals),
   * with no PhaseCost built per part.
   */
  cost(it: IterationContent, detail: boolean): PhaseCost {
    const { cx, lists, q, c } = this;
    const prefillShare = this.computedPrompt > 0 ? it.prefillTokens / this.computedPrompt : 0;
    const name = it.prefillTokens > 0 ? (it.decoders > 0 ? 'iteration (prefill chunk + decode)' : 'iteration (prefill)') : 'iteration (decode)';
    const p = this.placement;
    const d = lists.drafter;
    const tokens = q * it.decoders + it.prefillTokens / c;
    const logits = q * it.decoders + it.completions / c;
    // A decode-only iteration without a drafter is one list: its cost as it is.
    if (prefillShare === 0 && it.completions === 0 && !d) return this.phase(1, name, lists.decodeIteration, p, detail, it.decoders);
    const sum = SUM.start(cx.chip.energy.staticW);
    const steps: StepCost[] | undefined = detail ? [] : undefined;
    this.add(sum, steps, 1, 0, 'tokens', lists.tokens, p, detail, tokens);
    if (logits > 0) this.add(sum, steps, 1, 2, 'decoders and logits', lists.decodersAndLogits, p, detail, it.decoders, logits);
    if (prefillShare > 0) this.addOnce(sum, steps, prefillShare, 'prefill attention', lists.prefillAttention, p, detail, 'target');
    if (d && this.w.speculative) {
      const dp = this.drafterPlacement;
      if (it.decoders > 0) this.add(sum, steps, this.w.speculative.draftTokens, 3, 'draft', d.decodeIteration, dp, detail, it.decoders);
      if (prefillShare > 0) {
        this.add(sum, steps, 1, 4, 'draft prefill tokens', d.tokens, dp, detail, it.prefillTokens);
        this.addOnce(sum, steps, prefillShare, 'draft prefill attention', d.prefillAttention, dp, detail, 'drafter');
      }
    }
    return sum.finish(name, it.decoders + prefillShare, steps);
  }

  /**
   * `list`'s cost (run() in `slot`) run `times` times, added to `sum`: its kept totals without detail
   * (where summedFromTotals), else its PhaseCost, whose steps (with detail) go into `steps`.
   */
  private add(sum: PhaseSum, steps: StepCost[] | undefined, times: number, slot: number, name: string, list: ScaledSteps, placement: Placement, detail: boolean, a: number, b = 0): void {
    if (!detail && summedFromTotals.enabled) sum.addTotals(this.run(slot, name, list, placement, false, a, b) as PhaseTotals, times);
    else sum.addCost(this.phase(slot, name, list, placement, detail, a, b), times, steps);
  }
}

/** The sum IterationCoster.cost writes (read at once: finish builds the PhaseCost). */
const SUM = new PhaseSum();

/** Whether cost() without detail sums a mixed iteration's parts from their kept totals or from a PhaseCost built for each: tests compare the two. */
export const summedFromTotals = { enabled: true };
