"""What every peer driver shares: chipdse's JSON bridge (bench/peer/bridge.mjs) started for a
space, designs evaluated once each (a design proposed again gets its cached result, does not
count toward the budget and is counted as a duplicate), and the JSON object a driver prints."""
import json
import os
import subprocess
import time


class BridgeClient:
    def __init__(self, node, space):
        here = os.path.dirname(os.path.abspath(__file__))
        self.bridge = subprocess.Popen([node, os.path.join(here, "bridge.mjs"), "--space", space],
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self.info = json.loads(self.bridge.stdout.readline())
        self.params = self.info["parameters"]
        self.cache = {}
        self.order = []        # unique keys, in the order first evaluated
        self.first_trial = []  # trial number at which each was first proposed
        self.duplicates = 0
        self.trials = 0
        self.eval_sec = 0.0
        self.bridge_sec = 0.0

    def lookup(self, genome, trial_number=None):
        """The result of a design (a list of value indices), evaluated on its first proposal only."""
        key = ".".join(str(g) for g in genome)
        self.trials += 1
        if key in self.cache:
            self.duplicates += 1
            return self.cache[key]
        t0 = time.perf_counter()
        self.bridge.stdin.write(json.dumps({"genome": list(genome)}) + "\n")
        self.bridge.stdin.flush()
        r = json.loads(self.bridge.stdout.readline())
        self.bridge_sec += time.perf_counter() - t0
        self.eval_sec += r["evalSec"]
        self.cache[key] = r
        self.order.append(key)
        self.first_trial.append(self.trials - 1 if trial_number is None else trial_number)
        return r

    def report(self, head, hit_trial_cap, wall_sec):
        """Closes the bridge; the object a driver prints: `head`, then counts, times and the designs in order."""
        self.bridge.stdin.close()
        self.bridge.wait()
        return {
            **head,
            "unique": len(self.order),
            "trials": self.trials,
            "duplicates": self.duplicates,
            "hitTrialCap": hit_trial_cap,
            "wallSec": wall_sec,
            "evalSec": self.eval_sec,
            "bridgeSec": self.bridge_sec,
            "order": self.order,
            "firstTrial": self.first_trial,
            "results": {k: {"feasible": self.cache[k]["feasible"], "objectives": self.cache[k]["objectives"]} for k in self.order},
        }
