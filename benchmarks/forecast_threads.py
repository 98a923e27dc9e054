"""OpenMP threads of the discrete-time boosting model: one fit and the curves of every training
spell, with 1 and with 2 threads, alternating, in one process.

    python benchmarks/forecast_threads.py --db sqlite:///catalog.db [--as-of YYYY-MM-DD] [--rounds 2]

Prints CPU and wall seconds of each and the load average. ``models.limit_threads`` sets one
thread per process by default; this script sets the limit itself around each step.
"""

from __future__ import annotations

import argparse
import os
import time
import warnings
from datetime import date

from threadpoolctl import threadpool_limits

from sequelcast.forecast import inputs_from_snapshot, models
from sequelcast.forecast.dataset import make_dataset
from sequelcast.franchise import build_franchises
from sequelcast.service import Sequelcast
from sequelcast.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--as-of", type=date.fromisoformat, default=None)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    models._THREADS_LIMITED.append(None)  # the limit is set below, around each step
    svc = Sequelcast(Settings.from_env({**os.environ, "SEQUELCAST_DB": args.db}))
    when = svc.answer_date(args.as_of)
    snap = svc.catalog.snapshot(when)
    data = make_dataset(inputs_from_snapshot(snap, build_franchises(snap)), when)
    svc.close()
    print(f"{len(data.X):,} spells at {when}; load average {os.getloadavg()[0]:.1f} at the start")
    warnings.simplefilter("ignore")
    for _ in range(args.rounds):
        for n in (1, 2):
            with threadpool_limits(n, user_api="openmp"):
                t, c = time.perf_counter(), time.process_time()
                m = models.DiscreteTimeBoostingModel(monotone=models.MONOTONE).fit(
                    data.X, data.durations, data.events
                )
                t1, c1 = time.perf_counter(), time.process_time()
                m.predict_cumulative_hazard(data.X, [20.0])
                t2, c2 = time.perf_counter(), time.process_time()
            print(
                f"{n} thread(s): fit {c1 - c:.1f} s CPU, {t1 - t:.1f} s wall; "
                f"curves {c2 - c1:.1f} s CPU, {t2 - t1:.1f} s wall"
            )
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
