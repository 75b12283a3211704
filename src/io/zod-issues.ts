import type { z } from 'zod';
import type { Issue } from '../errors.js';

/** `a.b[2].c` from a zod path. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** Turns zod's issues into our one-line-per-problem form, naming unknown keys and their alternatives. */
export function zodIssues(error: z.ZodError, shapeKeysAt?: (path: PropertyKey[]) => string[] | undefined): Issue[] {
  const out: Issue[] = [];
  for (const issue of error.issues) {
    const path = issue.path as PropertyKey[];
    if (issue.code === 'unrecognized_keys') {
      const allowed = shapeKeysAt?.(path);
      for (const key of issue.keys) {
        out.push({
          path: formatPath([...path, key]),
          message: `unknown key${allowed ? ` (expected one of: ${allowed.join(', ')})` : ''}`,
        });
      }
      continue;
    }
    if (issue.code === 'invalid_union' && 'errors' in issue) {
      // Report the branch that got furthest, which is the one the user most likely meant.
      const branches = (issue as unknown as { errors: z.core.$ZodIssue[][] }).errors;
      const best = branches.reduce((a, b) => (deepest(b) > deepest(a) ? b : a), branches[0] ?? []);
      if (best.length > 0 && deepest(best) > 0) {
        for (const sub of best) out.push({ path: formatPath([...path, ...(sub.path as PropertyKey[])]), message: sub.message });
        continue;
      }
      // Every branch failed at the value itself: say what each branch would have taken (and that the key is missing, when it is).
      const missing = (issue as { input?: unknown }).input === undefined && branches.every((b) => b[0]?.message.startsWith('required'));
      out.push({ path: formatPath(path), message: `${missing ? 'required: ' : ''}expected ${branches.map(describeBranch).join(' or ')}` });
      continue;
    }
    out.push({ path: formatPath(path), message: issue.message });
  }
  return dedupe(out);
}

function describeBranch(issues: z.core.$ZodIssue[]): string {
  const first = issues[0] as (z.core.$ZodIssue & { values?: unknown[]; expected?: string }) | undefined;
  if (!first) return 'something else';
  if (first.code === 'invalid_value' && first.values) return first.values.length === 1 ? JSON.stringify(first.values[0]) : `one of ${first.values.map((v) => JSON.stringify(v)).join(', ')}`;
  if (first.code === 'invalid_type' && first.expected) return `${/^[aeiou]/.test(first.expected) ? 'an' : 'a'} ${first.expected}`;
  if (first.code === 'too_small' || first.code === 'too_big' || first.code === 'custom') return first.message;
  return first.message;
}

function deepest(issues: z.core.$ZodIssue[]): number {
  return issues.reduce((m, i) => Math.max(m, i.path.length), 0);
}

function dedupe(issues: Issue[]): Issue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.path}\u0000${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
