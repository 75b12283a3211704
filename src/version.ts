import { readFileSync } from 'node:fs';

/** The package version, stored with every run. */
export const TOOL_VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
