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
import sys
import time
import warnings

from bridge_client import BridgeClient

try:
    import optuna
except ImportError:
    print(json.dumps({"skipped": "optuna is not installed (Debian: apt-get install -y python3-optuna; run with /usr/bin/python3)"}))
    sys.exit(0)

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

client = BridgeClient(args.node, args.space)
info = client.info
params = client.params


def objective(trial):
    genome = [trial.suggest_categorical(p["name"], list(range(p["size"]))) if p["categorical"]
              else trial.suggest_int(p["name"], 0, p["size"] - 1) for p in params]
    r = client.lookup(genome, trial.number)
    trial.set_user_attr("constraint", [r["violation"]])
    if len(client.order) >= args.budget:
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
print(json.dumps(client.report(
    {"optuna": optuna.__version__, "storage": args.storage, "seed": args.seed, "population": args.population, "budget": args.budget},
    client.trials >= cap and len(client.order) < args.budget, wall)))
