#!/usr/bin/python3
"""The same design-space problem driven by Optuna's NSGAIISampler through chipdse's JSON bridge.

    /usr/bin/python3 bench/peer/optuna_nsga2.py --space inference-chip --budget 1296 --seed 1 \
        --population 64 [--storage memory|sqlite] [--db FILE]

Runs until `budget` unique designs are evaluated. Optuna may propose a design it has already
tried: that trial gets the cached result (it does not count toward the budget, nor is it evaluated
again) and is counted. Prints one JSON object: the unique designs in the order first evaluated
(with the trial number of each), duplicate count, trials, wall time and time spent evaluating.
Prints {"skipped": reason} when Optuna is not installed.
"""
import argparse
import json
import os
import subprocess
import sys
import time
import warnings

try:
    import optuna
except ImportError:
    print(json.dumps({"skipped": "optuna is not installed (Debian: apt-get install -y python3-optuna; run with /usr/bin/python3)"}))
    sys.exit(0)

here = os.path.dirname(os.path.abspath(__file__))
ap = argparse.ArgumentParser()
ap.add_argument("--space", default="inference-chip")
ap.add_argument("--budget", type=int, required=True)
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--population", type=int, default=64)
ap.add_argument("--storage", choices=["memory", "sqlite"], default="memory")
ap.add_argument("--db", default=None)
ap.add_argument("--node", default="node")
args = ap.parse_args()

optuna.logging.set_verbosity(optuna.logging.WARNING)
warnings.filterwarnings("ignore")

bridge = subprocess.Popen([args.node, os.path.join(here, "bridge.mjs"), "--space", args.space],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
info = json.loads(bridge.stdout.readline())
params = info["parameters"]

cache = {}
order = []      # unique keys, in the order first evaluated
first_trial = []  # trial number at which each was first proposed
state = {"duplicates": 0, "trials": 0, "eval_sec": 0.0, "bridge_sec": 0.0}


def evaluate(genome):
    t0 = time.perf_counter()
    bridge.stdin.write(json.dumps({"genome": genome}) + "\n")
    bridge.stdin.flush()
    r = json.loads(bridge.stdout.readline())
    state["bridge_sec"] += time.perf_counter() - t0
    state["eval_sec"] += r["evalSec"]
    return r


def objective(trial):
    genome = [trial.suggest_categorical(p["name"], list(range(p["size"]))) if p["categorical"]
              else trial.suggest_int(p["name"], 0, p["size"] - 1) for p in params]
    key = ".".join(str(g) for g in genome)
    state["trials"] += 1
    if key in cache:
        state["duplicates"] += 1
        r = cache[key]
    else:
        r = evaluate(genome)
        cache[key] = r
        order.append(key)
        first_trial.append(trial.number)
    trial.set_user_attr("constraint", [r["violation"]])
    if len(order) >= args.budget:
        trial.study.stop()
    return tuple(r["objectives"])


storage = None
if args.storage == "sqlite":
    db = args.db or f"/tmp/optuna-{os.getpid()}.db"
    if os.path.exists(db):
        os.remove(db)
    storage = optuna.storages.RDBStorage(f"sqlite:///{db}")
sampler = optuna.samplers.NSGAIISampler(population_size=args.population, seed=args.seed,
                                        constraints_func=lambda t: t.user_attrs["constraint"])
t0 = time.perf_counter()
study = optuna.create_study(directions=["minimize"] * len(info["objectives"]), sampler=sampler, storage=storage)
cap = args.budget * 50
study.optimize(objective, n_trials=cap, gc_after_trial=False)
wall = time.perf_counter() - t0
bridge.stdin.close()
bridge.wait()
print(json.dumps({
    "optuna": optuna.__version__,
    "storage": args.storage,
    "seed": args.seed,
    "population": args.population,
    "budget": args.budget,
    "unique": len(order),
    "trials": state["trials"],
    "duplicates": state["duplicates"],
    "hitTrialCap": state["trials"] >= cap and len(order) < args.budget,
    "wallSec": wall,
    "evalSec": state["eval_sec"],
    "bridgeSec": state["bridge_sec"],
    "order": order,
    "firstTrial": first_trial,
    "results": {k: {"feasible": cache[k]["feasible"], "objectives": cache[k]["objectives"]} for k in order},
}))
