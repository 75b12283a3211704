// Where the time of an evaluation goes: node --cpu-prof on a loop of evaluateGenome per problem,
// summarized as self time by part of the code and the top functions.
//
//   node bench/profile.mjs [--quick] [--problems serve-batch256,serve-auto,train]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUICK, ROOT, argValue, log, writeResult } from './lib/common.mjs';
import { summarizeProfile } from './lib/cpuprofile.mjs';
import { PROBLEMS } from './lib/problems.mjs';

const MS = QUICK ? 1500 : 4000;
const names = (argValue('problems') ?? Object.keys(PROBLEMS).join(',')).split(',');
const results = [];
for (const name of names) {
  const dir = mkdtempSync(join(tmpdir(), 'chipdse-prof-'));
  try {
    const command = ['--cpu-prof', '--cpu-prof-dir', dir, join(ROOT, 'bench/lib/profile-target.mjs'), '--problem', name, '--ms', String(MS)];
    const run = JSON.parse(execFileSync(process.execPath, command, { encoding: 'utf8' }).trim());
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    const s = summarizeProfile(join(dir, file));
    results.push({ problem: name, label: PROBLEMS[name].label, command: `node --cpu-prof bench/lib/profile-target.mjs --problem ${name} --ms ${MS}`, evaluationsPerSec: Math.round(run.evaluations / run.seconds), ...s });
    log(`profile ${name}: ${s.byPart.slice(0, 4).map((p) => `${p.part} ${p.percent}%`).join('; ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
log(`wrote ${writeResult('profile', { msPerProblem: MS, results })}`);
