/** Human-readable numbers for the CLI's tables; JSON output keeps full precision. */

const SI = [
  { v: 1e15, s: 'P' },
  { v: 1e12, s: 'T' },
  { v: 1e9, s: 'G' },
  { v: 1e6, s: 'M' },
  { v: 1e3, s: 'k' },
];

export function si(x: number, unit = '', digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return `0${unit ? ' ' + unit : ''}`;
  const a = Math.abs(x);
  for (const p of SI) if (a >= p.v) return `${(x / p.v).toPrecision(digits)} ${p.s}${unit}`;
  return `${x.toPrecision(digits)}${unit ? ' ' + unit : ''}`;
}

export function seconds(x: number): string {
  if (x === 0) return '-';
  if (x >= 1) return `${x.toPrecision(3)} s`;
  if (x >= 1e-3) return `${(x * 1e3).toPrecision(3)} ms`;
  return `${(x * 1e6).toPrecision(3)} us`;
}

export function joules(x: number): string {
  if (x === 0) return '0 J';
  if (x >= 1) return `${x.toPrecision(3)} J`;
  if (x >= 1e-3) return `${(x * 1e3).toPrecision(3)} mJ`;
  return `${(x * 1e6).toPrecision(3)} uJ`;
}

export function bytes(x: number): string {
  return si(x, 'B');
}

export function percent(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

export function usd(x: number): string {
  if (x >= 100) return `$${Math.round(x).toLocaleString('en-US')}`;
  return `$${x.toPrecision(3)}`;
}

/** Left-aligned first column, right-aligned others. */
export function table(rows: string[][], header?: string[]): string {
  const all = header ? [header, ...rows] : rows;
  const widths = all[0].map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  const out = all.map(line);
  if (header) out.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  return out.join('\n');
}

/** How a parameter value reads in a table or tooltip (a set of formats reads as its names joined by +). */
export function paramText(v: unknown): string {
  if (v !== null && typeof v === 'object') return Object.keys(v).join('+');
  return String(v);
}
