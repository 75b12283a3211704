import { readFileSync } from 'node:fs';
import { parseDesign } from '../../src/chip/load.js';
import type { Chip } from '../../src/chip/chip.js';

/** A preset's raw JSON, to mutate in a test. */
export function rawDesign(name: string): Record<string, any> {
  return JSON.parse(readFileSync(new URL(`../../designs/${name}.json`, import.meta.url), 'utf8'));
}

/** Builds a chip from a preset after applying `edit` to its raw JSON. */
export function designWith(name: string, edit: (d: Record<string, any>) => void): Chip {
  const d = rawDesign(name);
  edit(d);
  return parseDesign(d, `${name} (edited)`).chip;
}
