import { bytesPerValue } from '../precision/formats.js';
import type { Chip } from '../chip/chip.js';
import { kvValuesPerTokenPerLayer } from '../workload/model.js';
import type { Workload } from '../workload/workload.js';
import { phaseModelOf } from './batch.js';
import { ChipContext } from './context.js';
import { computeFormatOf } from './cycle.js';
import { evaluateServingAuto, evaluateServingFixed } from './serving-search.js';
import { workloadMemo } from './step-lists.js';
import { usdPerChipSecond, usdPerMTokensAt } from './tco.js';
import { ENERGY_PARTS, totalEnergy, zeroEnergy, type EnergyBreakdown, type Evaluation, type Metrics } from './types.js';

/**
 * Disaggregated serving (Splitwise, Patel et al., ISCA 2024; DistServe, Zhong et al., OSDI 2024):
 * prefill runs on a pool of prefill-only engines, decode on a pool of decode-only engines, and
 * each prompt's KV cache crosses the scale-out network between them. The workload's own chips and
 * parallelism are one decode instance; `serving.disaggregated` gives the prefill instance's
 * design and parallelism. The pools are sized to balance their request rates: r prefill instances
 * per decode instance, r = (decode requests/s) / (prefill requests/s), a fleet ratio.
 *
 * TTFT = the prefill engine's TTFT + the KV transfer (the first token reaches the user once the
 * decode side holds the cache, as in NVIDIA Dynamo's decode-attach flow; AIConfigurator's
 * disaggregated model adds the same handoff). TPOT is the decode engine's alone: no prefill
 * interferes. A TTFT SLO is met by the prefill pool with the transfer taken out of it; a TPOT SLO
 * by the decode pool. The KV transfer is charged per request: its bytes at the scale-out
 * network's energy per bit, its time on the slower end (each chip sends or receives its shard at
 * its scale-out bandwidth) plus the network's latency.
 */
interface Pools {
  prefill: Workload;
  decode: Workload;
}

const poolsOf = workloadMemo((w: Workload): Pools => {
  const dis = w.serving.disaggregated!;
  const pp = dis.prefillParallelism;
  const serving = { ...w.serving, disaggregated: undefined };
  return {
    prefill: { ...w, name: `${w.name} (prefill pool)`, phase: 'prefill', batch: 'auto', parallelism: pp, chips: pp.tensor * pp.pipeline * pp.data * pp.context, slo: {}, speculative: undefined, serving },
    decode: { ...w, name: `${w.name} (decode pool)`, phase: 'decode', outputTokens: Math.max(1, w.outputTokens - 1), slo: { tpotSec: w.slo.tpotSec }, serving },
  };
});

/** Bytes of a prompt's KV cache (the whole model's, every layer). */
export function kvBytesPerRequest(w: Workload): number {
  const m = w.model!;
  return w.inputTokens * m.layers * kvValuesPerTokenPerLayer(m) * bytesPerValue(w.precision.kvCache);
}

function transferOf(w: Workload, prefillChip: Chip, decodeChip: Chip): { sec: number; energyJ: number; bytes: number } | { error: string } {
  const a = prefillChip.interconnect.scaleOut;
  const b = decodeChip.interconnect.scaleOut;
  if (!a || !b) return { error: `disaggregated serving moves each prompt's KV cache over the scale-out network, and ${a ? decodeChip.name : prefillChip.name} has none` };
  const pp = w.serving.disaggregated!.prefillParallelism;
  const dp = w.parallelism;
  const bytes = kvBytesPerRequest(w);
  // A request's cache is spread over the chips of one replica on each side (tensor x pipeline x context).
  const senders = pp.tensor * pp.pipeline * pp.context;
  const receivers = dp.tensor * dp.pipeline * dp.context;
  const sec = Math.max(bytes / senders / a.bytesPerSec, bytes / receivers / b.bytesPerSec) + Math.max(a.latencySec, b.latencySec);
  return { sec, energyJ: bytes * 8 * a.pjPerBit * 1e-12, bytes };
}

export function evaluateDisaggregated(cx: ChipContext, w: Workload, detail: boolean): Evaluation {
  const pools = poolsOf(w);
  const dis = w.serving.disaggregated!;
  const prefillChip = dis.prefillChip ?? cx.chip;
  const xfer = transferOf(w, prefillChip, cx.chip);
  const decode = poolEvaluation(cx, pools.decode, detail);
  const cxPre = dis.prefillChip ? new ChipContext(prefillChip) : cx;
  // The prefill pool meets what the TTFT SLO leaves after the transfer (its own workload, memoized, when there is no SLO to share).
  const ttftLeft = w.slo.ttftSec !== undefined && !('error' in xfer) ? w.slo.ttftSec - xfer.sec : undefined;
  const prefill = poolEvaluation(cxPre, ttftLeft !== undefined && ttftLeft > 0 ? { ...pools.prefill, slo: { ttftSec: ttftLeft } } : pools.prefill, detail);
  const reasons = [...decode.reasons.map((r) => `decode pool: ${r}`), ...prefill.reasons.map((r) => `prefill pool: ${r}`)];
  if ('error' in xfer) reasons.push(xfer.error);
  const transfer = 'error' in xfer ? { sec: 0, energyJ: 0, bytes: kvBytesPerRequest(w) } : xfer;
  const metrics = combinePools(w, cx, cxPre, decode, prefill, transfer);
  if (w.slo.ttftSec !== undefined && metrics.ttftSec > w.slo.ttftSec) reasons.push(`TTFT ${metrics.ttftSec.toPrecision(3)} s (prefill ${prefill.metrics.ttftSec.toPrecision(3)} s + KV transfer ${transfer.sec.toPrecision(3)} s) exceeds the SLO of ${w.slo.ttftSec} s`);
  const perDecode = ratio(decode, prefill, w);
  return {
    design: cx.chip.name,
    workload: w.name,
    feasible: reasons.length === 0,
    reasons,
    metrics,
    memory: decode.memory,
    phases: [...prefill.phases.map((p) => ({ ...p, phase: `prefill pool: ${p.phase}` })), ...decode.phases.map((p) => ({ ...p, phase: `decode pool: ${p.phase}` }))],
    serving: decode.serving && {
      ...decode.serving,
      disaggregated: {
        prefillDesign: prefillChip.name,
        prefillChipsPerInstance: pools.prefill.chips,
        prefillInstancesPerDecodeInstance: perDecode,
        prefillConcurrency: prefill.metrics.batch,
        prefillTtftSec: prefill.metrics.ttftSec,
        kvBytesPerRequest: transfer.bytes,
        kvTransferSec: transfer.sec,
      },
    },
  };
}

function poolEvaluation(cx: ChipContext, w: Workload, detail: boolean): Evaluation {
  const model = phaseModelOf(w);
  const cycle = model.cycles(cx, w);
  return w.batch === 'auto' ? evaluateServingAuto(cx, w, model, cycle, detail) : evaluateServingFixed(cx, w, model, cycle, w.batch, detail);
}

/** Requests per second of an instance (all its data-parallel replicas). */
function requestsPerSec(e: Evaluation, tokensPerRequest: number): number {
  return tokensPerRequest > 0 ? e.metrics.tokensPerSec / tokensPerRequest : 0;
}

/** Prefill instances per decode instance that balance the pools' request rates. */
function ratio(decode: Evaluation, prefill: Evaluation, w: Workload): number {
  const pre = requestsPerSec(prefill, w.inputTokens);
  return pre > 0 ? requestsPerSec(decode, Math.max(1, w.outputTokens - 1)) / pre : 0;
}

/**
 * The metrics of one decode instance and its share of prefill instances, per request: energy is
 * each pool's energy per request (its joules per token times its tokens per request) plus the
 * transfer's, cost is each pool's chips at their own price and power.
 */
function combinePools(w: Workload, cxDec: ChipContext, cxPre: ChipContext, decode: Evaluation, prefill: Evaluation, transfer: { sec: number; energyJ: number }): Metrics {
  const o = w.outputTokens;
  const requests = requestsPerSec(decode, Math.max(1, o - 1));
  const tokensPerSec = requests * o;
  const prefillChips = ratio(decode, prefill, w) * poolsOf(w).prefill.chips;
  const chips = w.chips + prefillChips;
  const perRequest = zeroEnergy();
  const add = (e: EnergyBreakdown, tokens: number) => {
    for (const k of ENERGY_PARTS) perRequest[k] += e[k] * tokens;
  };
  add(decode.metrics.energyBreakdownJ, Math.max(1, o - 1));
  add(prefill.metrics.energyBreakdownJ, w.inputTokens);
  perRequest.interconnect += transfer.energyJ;
  const energyBreakdownJ = zeroEnergy();
  for (const k of ENERGY_PARTS) energyBreakdownJ[k] = perRequest[k] / o;
  const energyJPerToken = totalEnergy(energyBreakdownJ);
  const totalW = tokensPerSec * energyJPerToken;
  const usdPerSec = w.chips * usdPerChipSecond(cxDec.chip.cost.totalUsd, decode.metrics.powerW, w.deployment) + prefillChips * usdPerChipSecond(cxPre.chip.cost.totalUsd, prefill.metrics.powerW, w.deployment);
  // Total cost of ownership: each pool's chips at their own hourly cost.
  const tcoUsdPerHour = w.chips * decode.metrics.tcoUsdPerChipHour + prefillChips * prefill.metrics.tcoUsdPerChipHour;
  // MFU over both pools: each pool's model FLOPs over the peaks of all chips.
  const peak = (cx: ChipContext) => 2 * (cx.chip.peakMacsPerSec[computeFormatOf(cx, w)] ?? 0);
  const flops = decode.metrics.mfu * w.chips * peak(cxDec) + (prefill.metrics.mfu * prefillChips * peak(cxPre));
  const capacity = w.chips * peak(cxDec) + prefillChips * peak(cxPre);
  const ttftSec = prefill.metrics.ttftSec + transfer.sec;
  const d = decode.metrics;
  return {
    ...d,
    tokensPerSec,
    latencySec: ttftSec + (o - 1) * d.tpotSec,
    ttftSec,
    ttftP90Sec: prefill.metrics.ttftP90Sec + transfer.sec,
    mfu: capacity > 0 ? flops / capacity : 0,
    energyJPerToken,
    energyBreakdownJ,
    powerW: chips > 0 ? totalW / chips : 0,
    tokensPerSecPerW: totalW > 0 ? tokensPerSec / totalW : 0,
    usdPerMTokens: tokensPerSec > 0 ? (usdPerSec / tokensPerSec) * 1e6 : 0,
    peakPowerW: Math.max(d.peakPowerW, prefill.metrics.peakPowerW),
    tcoUsdPerChipHour: chips > 0 ? tcoUsdPerHour / chips : 0,
    tcoUsdPerMTokens: usdPerMTokensAt(tcoUsdPerHour, 1, tokensPerSec, w.deployment.utilization),
    fits: d.fits && prefill.metrics.fits,
    tokensPerSecPerChip: chips > 0 ? tokensPerSec / chips : 0,
    interruptionIntervalHours: Math.min(d.interruptionIntervalHours, prefill.metrics.interruptionIntervalHours),
  };
}
