/** Roots frozen with everything below them: a second call on them (or on a part of them) stops at once. */
const DEEP_FROZEN = new WeakSet<object>();

/**
 * Freezes `x` and every object below it, and returns it. What the evaluator memoizes by object
 * (step lists per workload, technology tables per validated design) is memoized only for objects
 * frozen this way, so no result can depend on an object that changed after it was seen.
 */
export function deepFreeze<T>(x: T): T {
  freeze(x);
  return x;
}

function freeze(x: unknown): void {
  if (typeof x !== 'object' || x === null || DEEP_FROZEN.has(x)) return;
  DEEP_FROZEN.add(x);
  Object.freeze(x);
  for (const k of Object.keys(x)) freeze((x as Record<string, unknown>)[k]);
}

/** Whether `x` was frozen, with everything below it, by `deepFreeze`. */
export function isDeepFrozen(x: object): boolean {
  return DEEP_FROZEN.has(x);
}
