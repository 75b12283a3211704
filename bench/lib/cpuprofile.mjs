// Summary of a V8 .cpuprofile (node --cpu-prof): top functions by self and inclusive time, and
// self time by part of the code.
import { readFileSync } from 'node:fs';

/** Parts of the code, by the file a sampled function is in (first match wins). */
const PARTS = [
  ['garbage collection', (url, fn) => fn === '(garbage collector)'],
  ['design validation (zod)', (url) => url.includes('/node_modules/zod/')],
  ['chip build (src/chip)', (url) => url.includes('/chip/')],
  ['design template, genome -> design (src/search/design-template, space)', (url) => /search\/(design-template|space)\.js/.test(url)],
  ['evaluator: step costs (src/eval/step-cost, phase; src/interconnect)', (url) => /eval\/(step-cost|phase)\.js|interconnect\//.test(url)],
  ['evaluator: workload, memory, metrics (rest of src/eval, src/workload, src/precision)', (url) => /\/(eval|workload|precision)\//.test(url)],
  ['search glue (src/search/problem, pool, worker)', (url) => /search\/(problem|pool|worker|sweep)/.test(url)],
  ['benchmark loop', (url) => url.includes('/bench/')],
  ['idle', (url, fn) => fn === '(idle)'],
];

const short = (url) => url.replace(/^.*\/(dist|node_modules)\//, (_, d) => (d === 'dist' ? 'src/' : 'node_modules/')).replace(/^file:\/\//, '');

export function summarizeProfile(file, top = 15) {
  const p = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map();
  for (let i = 0; i < p.samples.length; i++) selfUs.set(p.samples[i], (selfUs.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const label = (n) => `${n.callFrame.functionName || '(anonymous)'} ${short(n.callFrame.url)}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''}`;
  const self = new Map();
  const incl = new Map();
  const parts = new Map();
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    const k = label(n);
    self.set(k, (self.get(k) ?? 0) + us);
    const part = PARTS.find(([, f]) => f(n.callFrame.url, n.callFrame.functionName))?.[0] ?? 'other (node internals, module loading)';
    parts.set(part, (parts.get(part) ?? 0) + us);
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const kk = label(byId.get(cur));
      if (seen.has(kk)) continue;
      seen.add(kk);
      incl.set(kk, (incl.get(kk) ?? 0) + us);
    }
  }
  const pct = (us) => Number(((100 * us) / total).toFixed(1));
  const rank = (m, skip = () => false) => [...m].filter(([k]) => !skip(k)).sort((a, b) => b[1] - a[1]).slice(0, top).map(([fn, us]) => ({ fn, percent: pct(us) }));
  const structural = (k) => /^\((root|program|idle)\)|^run node:internal|^\(anonymous\) (node:internal|bench\/lib\/profile-target)/.test(k) || k.startsWith('evaluate :0') || k.startsWith('(anonymous) :');
  return {
    sampledMs: Math.round(total / 1000),
    byPart: [...parts].sort((a, b) => b[1] - a[1]).map(([part, us]) => ({ part, percent: pct(us) })),
    topSelf: rank(self),
    topInclusive: rank(incl, structural),
  };
}
