import type { Chip } from './chip.js';
import { RETICLE_LIMIT_MM2 } from './cost.js';

/** HBM per stack and per-stack bandwidth beyond any announced part (JEDEC HBM4 JESD270-4: 16-high stacks of 32 Gb dies = 64 GB; 2048 bits at up to ~13 Gb/s = 3.3 TB/s). */
export const HBM_MAX_BYTES_PER_STACK = 64e9;
export const HBM_MAX_BYTES_PER_SEC_PER_STACK = 3.3e12;

/**
 * `x.toFixed(0)`, by Math.round where that prints the same digits: for 0 <= x < 2^52 both take the
 * nearest integer, the larger of two equally near (ECMA-262 Number.prototype.toFixed step 10.a;
 * Math.round), and print it in full. toFixed cost ~150-250 ns against ~40 here, and 1,554 of
 * serve-auto's 4,096 benchmark designs print their die area (bench/NOTES.md, e29).
 */
export function fixed0(x: number): string {
  return x >= 0 && x < 2 ** 52 ? String(Math.round(x)) : x.toFixed(0);
}

/** Design rules that make a chip unbuildable, whatever the workload: one reason per broken rule. */
export function designReasons(chip: Chip): string[] {
  const r: string[] = [];
  if (chip.area.perDieMm2 > RETICLE_LIMIT_MM2) {
    r.push(`die of ${fixed0(chip.area.perDieMm2)} mm2 exceeds the ${RETICLE_LIMIT_MM2} mm2 reticle limit (split it over more dies)`);
  }
  const pkg = chip.package;
  if (pkg.interposerMm2 > pkg.maxInterposerMm2) {
    r.push(`interposer of ${pkg.interposerMm2.toFixed(0)} mm2 (dies and HBM stacks) exceeds the ${pkg.maxInterposerMm2.toFixed(0)} mm2 of the largest ${pkg.type} (${(pkg.maxInterposerMm2 / RETICLE_LIMIT_MM2).toFixed(1)} reticles)`);
  }
  if (chip.hbmBytes / chip.hbmStacks > HBM_MAX_BYTES_PER_STACK) {
    r.push(`${(chip.hbmBytes / chip.hbmStacks / 1e9).toFixed(0)} GB per HBM stack exceeds the ${HBM_MAX_BYTES_PER_STACK / 1e9} GB of the largest stack`);
  }
  if (chip.hbmBytesPerSec / chip.hbmStacks > HBM_MAX_BYTES_PER_SEC_PER_STACK) {
    r.push(`${(chip.hbmBytesPerSec / chip.hbmStacks / 1e12).toFixed(2)} TB/s per HBM stack exceeds the ${HBM_MAX_BYTES_PER_SEC_PER_STACK / 1e12} TB/s of the fastest stack`);
  }
  if (chip.voltage.ratio > chip.voltage.maxRatio) {
    const v = chip.voltage;
    r.push(`a ${(chip.clockHz / 1e9).toFixed(2)} GHz clock needs ${v.ratio.toFixed(2)}x the nominal voltage (nominal clock ${(v.nominalClockHz / 1e9).toFixed(2)} GHz), beyond the ${v.maxRatio}x the process allows (technology.energy.maxVoltageRatio)`);
  }
  if (chip.tdpW !== undefined && chip.energy.staticW >= chip.tdpW) {
    r.push(`static power ${chip.energy.staticW.toFixed(0)} W alone reaches the ${chip.tdpW} W power limit`);
  }
  return r;
}
