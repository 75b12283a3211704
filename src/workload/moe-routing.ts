/**
 * How tokens spread over the experts of an MoE layer, and what that does to the busiest
 * expert-parallel rank (the one every all-to-all and every layer waits for).
 *
 * Expert popularity is a power law, p_i proportional to i^-alpha over the E experts (the family
 * NVIDIA AIConfigurator's MoE kernel tables sample, power_law_1.01 and power_law_1.2), with alpha
 * chosen so that the Gini coefficient of the tokens per expert is the workload's
 * `expertRoutingGini`. Ma et al. 2026 (DODOCO, arXiv 2605.20982) measured that Gini on real text
 * across five MoE checkpoints on H100: 0.105 (MHA) and 0.15 (Mamba-2) to above 0.24 (MLA); the
 * default 0.2 sits between them. Gini 0 is uniform routing.
 *
 * Experts sit on the ranks in blocks of E/e, their popularity unrelated to where they sit (no
 * load balancer). The busiest rank is taken to be the one holding the most popular expert, with
 * E/e - 1 experts of average popularity beside it: the first-order effect, a slight underestimate
 * of the expected maximum over ranks.
 */
export interface BusiestRank {
  /** Share of all token-to-expert assignments that land on the busiest rank (1/e when balanced). */
  share: number;
  /** Routing probability of the most popular expert on it, and of each of the others. */
  pTop: number;
  pRest: number;
  expertsHere: number;
}

/** Gini coefficient of a distribution given in any order. */
export function giniOf(p: readonly number[]): number {
  const x = [...p].sort((a, b) => a - b);
  const n = x.length;
  let sum = 0;
  let weighted = 0;
  for (let i = 0; i < n; i++) {
    sum += x[i];
    weighted += (i + 1) * x[i];
  }
  return sum > 0 ? (2 * weighted) / (n * sum) - (n + 1) / n : 0;
}

/** Power-law popularity of E experts with exponent alpha, normalized to add up to 1, most popular first. */
export function powerLaw(experts: number, alpha: number): number[] {
  const p = Array.from({ length: experts }, (_, i) => (i + 1) ** -alpha);
  const sum = p.reduce((a, b) => a + b, 0);
  return p.map((v) => v / sum);
}

const ALPHA_CACHE = new Map<string, number>();

/** The power-law exponent whose popularity over E experts has the given Gini (bisection; 0 for Gini 0). */
export function alphaForGini(experts: number, gini: number): number {
  if (gini <= 0 || experts <= 1) return 0;
  const key = `${experts}:${gini}`;
  const hit = ALPHA_CACHE.get(key);
  if (hit !== undefined) return hit;
  let lo = 0;
  let hi = 1;
  while (giniOf(powerLaw(experts, hi)) < gini && hi < 64) hi *= 2;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (giniOf(powerLaw(experts, mid)) < gini) lo = mid;
    else hi = mid;
  }
  const alpha = (lo + hi) / 2;
  if (ALPHA_CACHE.size > 256) ALPHA_CACHE.clear();
  ALPHA_CACHE.set(key, alpha);
  return alpha;
}

/** The busiest of `ranks` expert-parallel ranks holding E experts between them, under routing of the given Gini. */
export function busiestRank(experts: number, ranks: number, gini: number): BusiestRank {
  const expertsHere = experts / ranks;
  const pTop = gini > 0 ? powerLaw(experts, alphaForGini(experts, gini))[0] : 1 / experts;
  const pRest = experts > 1 ? (1 - pTop) / (experts - 1) : 0;
  const share = ranks <= 1 ? 1 : pTop + (expertsHere - 1) * pRest;
  return { share, pTop, pRest, expertsHere };
}

/**
 * Expected experts on the busiest rank that at least one of `tokens` tokens picks, each token
 * choosing k experts (an expert is picked by a token with probability min(1, k p_i)).
 */
export function touchedExperts(r: BusiestRank, tokens: number, k: number): number {
  const miss = (p: number) => (1 - Math.min(1, k * p)) ** tokens;
  return 1 - miss(r.pTop) + (r.expertsHere - 1) * (1 - miss(r.pRest));
}
