#!/usr/bin/python3
"""The same design-space problem driven by DEAP's NSGA-III or by an SMS-EMOA on DEAP's
hypervolume, through chipdse's JSON bridge (bench/peer/bridge.mjs).

    /usr/bin/python3 bench/peer/deap_moea.py --algorithm nsga3|smsemoa --space inference-chip \
        --budget 648 --seed 1 --population 20 [--node node]

Genomes are value indices per parameter. Ordinal genes are varied as DEAP's examples vary
real-coded ones and then rounded: simulated binary crossover (cxSimulatedBinaryBounded) and
polynomial mutation (mutPolynomialBounded, probability 1/genes per gene), with the distribution
indices of Deb and Jain 2014 (IEEE TEVC 18(4), NSGA-III: crossover 30, mutation 20); categorical
genes are swapped with probability 1/2 and reset with probability 1/genes. Constraints: Deb's
rule, feasible designs before infeasible ones, infeasible ones by violation.

- nsga3: generational; mates paired at random (as NSGA-III prescribes, no tournament), selection
  by tools.selNSGA3 on tools.uniform_reference_points with the most divisions whose point count
  does not exceed the population.
- smsemoa: steady state (Beume, Naujoks, Emmerich 2007, EJOR 181(3)): one child per step from two
  parents drawn at random; the population member removed is the one of least exclusive
  hypervolume (DEAP's exact hv.hypervolume) on the last non-dominated front, objectives scaled
  to that front's range, reference 1 + 1/(n - 1) per objective (Ishibuchi et al. 2017).

Runs until `budget` unique designs are evaluated. A design proposed again gets its cached result
(it does not count toward the budget, nor is it evaluated again) and is counted. Prints one JSON
object in the format of optuna_nsga2.py.
"""
import argparse
import json
import random
import sys
import time

import numpy

from bridge_client import BridgeClient

try:
    from deap import base, creator, tools
    from deap.tools._hypervolume import hv
except ImportError:
    print(json.dumps({"skipped": "deap is not installed (Debian: apt-get install -y python3-deap; run with /usr/bin/python3)"}))
    sys.exit(0)

ap = argparse.ArgumentParser()
ap.add_argument("--algorithm", choices=["nsga3", "smsemoa"], required=True)
ap.add_argument("--space", default="inference-chip")
ap.add_argument("--budget", type=int, required=True)
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--population", type=int, default=20)
ap.add_argument("--node", default="node")
args = ap.parse_args()

client = BridgeClient(args.node, args.space)
info = client.info
params = client.params
n_obj = len(info["objectives"])
rng = random.Random(args.seed)
random.seed(args.seed)  # DEAP's operators draw from the random module,
numpy.random.seed(args.seed)  # and selNSGA3's niching from numpy's

creator.create("FitnessMin", base.Fitness, weights=(-1.0,) * n_obj)
creator.create("Individual", list, fitness=creator.FitnessMin)

class Done(Exception):
    pass


def evaluate(ind):
    """Sets the individual's fitness and violation; raises Done once the budget is reached."""
    if len(client.order) >= args.budget or client.trials >= args.budget * 50:
        raise Done()
    r = client.lookup(ind)
    ind.fitness.values = tuple(r["objectives"])
    ind.violation = r["violation"]
    ind.feasible = r["feasible"]


def random_individual():
    return creator.Individual(rng.randrange(p["size"]) for p in params)


def vary(a, b):
    """Two children of parents a and b: SBX (eta 30) and polynomial mutation (eta 20), rounded."""
    c1, c2 = [float(x) for x in a], [float(x) for x in b]
    ords = [i for i, p in enumerate(params) if not p["categorical"] and p["size"] > 1]
    if ords:
        x1, x2 = [c1[i] for i in ords], [c2[i] for i in ords]
        lo, up = [0.0] * len(ords), [float(params[i]["size"] - 1) for i in ords]
        tools.cxSimulatedBinaryBounded(x1, x2, eta=30.0, low=lo, up=up)
        tools.mutPolynomialBounded(x1, eta=20.0, low=lo, up=up, indpb=1.0 / len(params))
        tools.mutPolynomialBounded(x2, eta=20.0, low=lo, up=up, indpb=1.0 / len(params))
        for k, i in enumerate(ords):
            c1[i], c2[i] = x1[k], x2[k]
    out = []
    for c in (c1, c2):
        out.append(creator.Individual(int(round(x)) for x in c))
    for i, p in enumerate(params):
        if not p["categorical"] or p["size"] < 2:
            continue
        if rng.random() < 0.5:
            out[0][i], out[1][i] = out[1][i], out[0][i]
        for c in out:
            if rng.random() < 1.0 / len(params):
                c[i] = rng.randrange(p["size"])
    return out


def feasible_first(pool, k, select_feasible):
    """Deb's rule: the feasible members selected by `select_feasible`, then infeasible by violation."""
    feas = [i for i in pool if i.feasible]
    if len(feas) >= k:
        return select_feasible(feas, k)
    rest = sorted((i for i in pool if not i.feasible), key=lambda i: i.violation)
    return feas + rest[: k - len(feas)]


def divisions(m, size):
    """Most divisions p with C(p + m - 1, m - 1) reference points not above `size` (at least 1)."""
    from math import comb
    p = 1
    while comb(p + 1 + m - 1, m - 1) <= size:
        p += 1
    return p


def nsga3():
    ref = tools.uniform_reference_points(n_obj, divisions(n_obj, args.population))
    pop = [random_individual() for _ in range(args.population)]
    for ind in pop:
        evaluate(ind)
    while True:
        mates = pop[:]
        rng.shuffle(mates)
        offspring = []
        for a, b in zip(mates[::2], mates[1::2]):
            offspring.extend(vary(a, b))
        for ind in offspring:
            evaluate(ind)
        pop = feasible_first(pop + offspring, args.population, lambda f, k: tools.selNSGA3(f, k, ref))


def least_contributor(front):
    """Index in `front` of the member of least exclusive hypervolume (normalized objectives)."""
    objs = [ind.fitness.values for ind in front]
    lo = [min(o[j] for o in objs) for j in range(n_obj)]
    hi = [max(o[j] for o in objs) for j in range(n_obj)]
    norm = [[(o[j] - lo[j]) / (hi[j] - lo[j]) if hi[j] > lo[j] else 0.0 for j in range(n_obj)] for o in objs]
    ref = [1.0 + 1.0 / max(1, len(front) - 1)] * n_obj
    total = hv.hypervolume(norm, ref)
    contrib = [total - hv.hypervolume(norm[:i] + norm[i + 1:], ref) for i in range(len(norm))]
    return min(range(len(front)), key=lambda i: contrib[i])


def smsemoa():
    pop = [random_individual() for _ in range(args.population)]
    for ind in pop:
        evaluate(ind)
    while True:
        a, b = rng.sample(pop, 2)
        child = vary(a, b)[rng.randrange(2)]
        evaluate(child)
        pop.append(child)
        infeasible = [i for i in pop if not i.feasible]
        if infeasible:
            pop.remove(max(infeasible, key=lambda i: i.violation))
            continue
        last = tools.sortNondominated(pop, len(pop))[-1]
        pop.remove(last[least_contributor(last)] if len(last) > 1 else last[0])


t0 = time.perf_counter()
try:
    (nsga3 if args.algorithm == "nsga3" else smsemoa)()
except Done:
    pass
wall = time.perf_counter() - t0
print(json.dumps(client.report(
    {"algorithm": args.algorithm, "seed": args.seed, "population": args.population, "budget": args.budget},
    len(client.order) < args.budget, wall)))
