import { parseDesign, resolveDesignSource } from '../src/chip/load.js';
import { supplyVoltageRatio, VOLTAGE_SCALING } from '../src/chip/technology.js';
import { evaluate } from '../src/eval/evaluate.js';
import { loadWorkload } from '../src/workload/load.js';

/** The H100 preset with its clock (GHz) and, optionally, its nominal clock and technology overrides changed. */
function h100(clockGHz?: number, edit: (d: Record<string, any>) => void = () => {}) {
  const d = structuredClone(resolveDesignSource('h100-sxm').data) as Record<string, any>;
  if (clockGHz !== undefined) d.compute.clockHz = `${clockGHz} GHz`;
  edit(d);
  return parseDesign(d, 'h100-variant').chip;
}

describe('supply voltage against clock (DVFS)', () => {
  test('reproduces the measured V/f points it is drawn from (AnandTech, Core 2 QX9650, 3.0 GHz at 0.98 V)', () => {
    const v = (ghz: number) => supplyVoltageRatio(ghz / 3.0, VOLTAGE_SCALING) * 0.98;
    expect(v(3.6)).toBeCloseTo(1.16, 2);
    expect(v(4.0)).toBeCloseTo(1.28, 2);
    expect(v(2.4)).toBeCloseTo(0.9, 2);
    // The floor: 1.2 GHz ran at the lowest voltage offered, 0.81 V.
    expect(v(1.2)).toBeCloseTo(0.81, 2);
    expect(v(0.6)).toBeCloseTo(0.81, 2);
  });

  test('is 1 at the nominal clock, rises with the clock and never falls below the floor', () => {
    expect(supplyVoltageRatio(1, VOLTAGE_SCALING)).toBe(1);
    let last = 0;
    for (let r = 0.1; r <= 2; r += 0.05) {
      const v = supplyVoltageRatio(r, VOLTAGE_SCALING);
      expect(v).toBeGreaterThanOrEqual(last);
      expect(v).toBeGreaterThanOrEqual(VOLTAGE_SCALING.minVoltageRatio);
      last = v;
    }
  });

  test('at the nominal clock a design evaluates exactly as without a nominal clock', () => {
    const serve = loadWorkload('llama-3-70b-serve');
    const withNominal = h100();
    const without = h100(undefined, (d) => delete d.compute.nominalClockHz);
    expect(withNominal.voltage.ratio).toBe(1);
    expect(evaluate(withNominal, serve)).toEqual(evaluate(without, serve));
  });

  test('10% above nominal: logic energy per operation x V^2, leakage x V, SRAM and HBM energy unchanged', () => {
    const base = h100();
    const fast = h100(1.83 * 1.1);
    const v = 1 + VOLTAGE_SCALING.voltageSlopeAbove * 0.1;
    expect(fast.voltage.ratio).toBeCloseTo(v, 12);
    expect(fast.energy.pjPerMac.bf16 / base.energy.pjPerMac.bf16).toBeCloseTo(v * v, 12);
    expect(fast.energy.vectorPjPerFlop / base.energy.vectorPjPerFlop).toBeCloseTo(v * v, 12);
    expect(fast.energy.staticW / base.energy.staticW).toBeCloseTo(v, 12);
    expect(fast.energy.sramPjPerByte).toBe(base.energy.sramPjPerByte);
    expect(fast.energy.hbmPjPerByte).toBe(base.energy.hbmPjPerByte);
  });

  test('a faster clock buys compute-bound time with energy: prefill is quicker and costs more joules per token', () => {
    const prefill = loadWorkload('llama-3-8b-serve');
    const pre = { ...prefill, phase: 'prefill' as const, batch: 64 };
    // Without a power limit, so that the clock alone decides.
    const noCap = (d: Record<string, any>) => delete d.tdpW;
    const slow = evaluate(h100(1.6, noCap), pre, { detail: false }).metrics;
    const nominal = evaluate(h100(undefined, noCap), pre, { detail: false }).metrics;
    const fast = evaluate(h100(2.0, noCap), pre, { detail: false }).metrics;
    expect(fast.tokensPerSec).toBeGreaterThan(nominal.tokensPerSec);
    expect(nominal.tokensPerSec).toBeGreaterThan(slow.tokensPerSec);
    expect(fast.energyBreakdownJ.compute).toBeGreaterThan(nominal.energyBreakdownJ.compute);
    expect(nominal.energyBreakdownJ.compute).toBeGreaterThan(slow.energyBreakdownJ.compute);
  });

  test('a clock that needs more than the highest voltage makes the design infeasible, with the reason; an override allows it', () => {
    const serve = loadWorkload('llama-3-8b-serve');
    const over = evaluate(h100(1.83 * 1.4), serve, { detail: false });
    expect(over.feasible).toBe(false);
    expect(over.reasons.join(' ')).toMatch(/needs 1\.37x the nominal voltage .* beyond the 1\.3x/);
    const allowed = evaluate(h100(1.83 * 1.4, (d) => (d.technology = { energy: { maxVoltageRatio: 1.5 } })), serve, { detail: false });
    expect(allowed.reasons.join(' ')).not.toMatch(/nominal voltage/);
  });

  test('below the floor a slower clock saves no more energy per operation', () => {
    const a = h100(1.83 * 0.5);
    const b = h100(1.83 * 0.3);
    expect(a.voltage.ratio).toBe(VOLTAGE_SCALING.minVoltageRatio);
    expect(b.energy.pjPerMac.fp8_e4m3).toBe(a.energy.pjPerMac.fp8_e4m3);
    expect(a.energy.pjPerMac.fp8_e4m3).toBeLessThan(h100().energy.pjPerMac.fp8_e4m3);
  });
});
