import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { ChipdseError } from '../errors.js';
import type { Chip } from '../chip/chip.js';
import { parseDesign, resolveDesignSource } from '../chip/load.js';

/**
 * Reader of the measured GPU kernel tables in shared/reference/measured/ (data from NVIDIA
 * AIConfigurator, https://github.com/ai-dynamo/aiconfigurator, Apache License 2.0; converted to
 * CSV and changed as that folder's README describes). Plain comma-separated text with a header
 * row, gzip-compressed except systems.csv; no quoted fields. Columns are kept as they are read:
 * numbers as numbers, `*version*` columns and non-numeric fields as text.
 */
export interface MeasuredTable {
  file: string;
  columns: string[];
  rows: Record<string, string | number | null>[];
}

/**
 * Where the measured tables are looked for when no folder is named: shared/reference/measured/
 * beside the repository (../shared/reference/measured from its root), as the team's checkouts have it.
 */
export const DEFAULT_MEASURED_DIR = fileURLToPath(new URL('../../../shared/reference/measured', import.meta.url));

/** The system names of the measured tables with the chipdse design each is calibrated as. */
export const MEASURED_SYSTEMS = [
  { system: 'a100_sxm', design: 'a100-sxm' },
  { system: 'h100_sxm', design: 'h100-sxm' },
  { system: 'h200_sxm', design: 'h200-sxm' },
  { system: 'b200_sxm', design: 'b200' },
  { system: 'gb200', design: 'gb200' },
  { system: 'b300_sxm', design: 'b300' },
] as const;
export type MeasuredSystem = (typeof MEASURED_SYSTEMS)[number]['system'];

export const MEASURED_SOURCE = {
  name: 'NVIDIA AIConfigurator',
  url: 'https://github.com/ai-dynamo/aiconfigurator',
  commit: '095f58a51c4ca8e61b66ec108d86f223f8d559ce',
  license: 'Apache-2.0',
  attribution:
    'Data from NVIDIA AIConfigurator (Copyright (c) 2025-2026 NVIDIA CORPORATION & AFFILIATES, Apache License 2.0), as converted in shared/reference/measured/ (parquet to CSV, latency in microseconds, derived columns added; see its README). The fitted parameters are derived from that data.',
};

function parseCell(column: string, v: string): string | number | null {
  if (v === '') return null;
  if (/version/.test(column)) return v;
  const n = Number(v);
  return Number.isNaN(n) ? v : n;
}

/** Reads one table of the measured folder; a missing file is one line naming it. */
export function readMeasuredTable(dir: string, file: string): MeasuredTable {
  const path = join(dir, file);
  if (!existsSync(path)) throw new ChipdseError(`${path}: measured table not found (expected NVIDIA AIConfigurator data as in shared/reference/measured/)`);
  const raw = readFileSync(path);
  const text = (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8').trimEnd();
  const lines = text.split('\n');
  const columns = lines[0].split(',');
  const interned = new Map<string, string>();
  const rows = new Array<Record<string, string | number | null>>(lines.length - 1);
  for (let i = 1; i < lines.length; i++) {
    const cells = lines[i].split(',');
    const row: Record<string, string | number | null> = {};
    for (let c = 0; c < columns.length; c++) {
      let v = parseCell(columns[c], cells[c] ?? '');
      if (typeof v === 'string') {
        const seen = interned.get(v);
        if (seen === undefined) interned.set(v, v);
        else v = seen;
      }
      row[columns[c]] = v;
    }
    rows[i - 1] = row;
  }
  return { file, columns, rows };
}

/**
 * A measured GPU's preset as a specification only: its `kernels` block (its own fitted levels) is
 * dropped, so fitting and checking never read a previous fit through the preset.
 */
export function specificationChip(design: string): Chip {
  const { path, data } = resolveDesignSource(design);
  const { kernels: _fitted, ...spec } = data as Record<string, unknown>;
  return parseDesign(spec, path).chip;
}

/** A table if the folder has it (A100 has no quantize table, only GB200 an MoE all-to-all table). */
export function readMeasuredTableIfAny(dir: string, file: string): MeasuredTable | undefined {
  return existsSync(join(dir, file)) ? readMeasuredTable(dir, file) : undefined;
}

export const num = (r: Record<string, string | number | null>, c: string): number => {
  const v = r[c];
  if (typeof v !== 'number') throw new ChipdseError(`measured table: column ${c} is ${JSON.stringify(v)}, expected a number`);
  return v;
};
export const str = (r: Record<string, string | number | null>, c: string): string => String(r[c] ?? '');
