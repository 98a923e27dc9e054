"""Time the forecast on the real data: training, and forecasting every waiting show.

    python benchmarks/forecast.py [--data ../shared/data] [--as-of YYYY-MM-DD] [--model auto]

Prints the data size, the machine, the time to fit the Forecaster (model selection included when
``--model auto``), the time to compute the probabilities of every show waiting for a next season,
the time of one detailed forecast (window and factors), and the wall time of
``sequelcast forecast --all`` in a new process once the model is fitted (its table is cached with
the model). Targets (issues 5 and 10): training under 60 s, ``forecast --all`` under 5 s on 2
cores. CPU seconds are printed beside wall seconds: on a machine shared with other jobs the wall
time measures the load as much as the code.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from sequelcast import service
from sequelcast.catalog import open_catalog


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "data")
    parser.add_argument("--as-of", type=date.fromisoformat, default=None,
                        help="forecast date (default: the newest data)")
    parser.add_argument("--model", default=service.DEFAULT_MODEL)
    args = parser.parse_args()
    print(f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}")

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        cache = Path(tmp) / "cache"
        with open_catalog(url) as cat:
            service.build_catalog(cat, args.data)
            when = service.forecast_date(cat, args.as_of, date.max)
            t = time.perf_counter()
            snap = service.load_snapshot(cat, None if when >= service.data_date(cat) else when, cache)
            graph = service.franchise_graph(cat, snap.as_of, cache)
            inputs = service.forecast_inputs(snap, graph)
            t_inputs = time.perf_counter() - t
            from sequelcast.forecast import Forecaster

            t, c = time.perf_counter(), time.process_time()
            fc = Forecaster(model=args.model, random_state=0).fit(inputs, when)
            t_fit, c_fit = time.perf_counter() - t, time.process_time() - c
            n_train, n_events = len(fc.data_.spells), int(fc.data_.events.sum())
            t = time.perf_counter()
            shows = fc.predict(detail=False)
            t_predict = time.perf_counter() - t
            t = time.perf_counter()
            detailed = fc.predict(fc.at_risk()["franchise_id"].head(100))
            t_detail = (time.perf_counter() - t) / max(len(detailed), 1)
            service.forecast_every(cat, when, when, cache, args.model)  # warm the caches for the CLI run
        env = {**os.environ, "SEQUELCAST_DB": url, "SEQUELCAST_MODEL_DIR": str(cache)}
        cmd = [sys.executable, "-m", "sequelcast", "forecast", "--all", "--model", args.model,
               "--as-of", when.isoformat()]
        t = time.perf_counter()
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
        out = proc.stdout
        t_cli = time.perf_counter() - t
        c_cli = sum(os.times()[2:4])  # CPU of finished children (the CLI run)

    print(f"forecast date: {when}; model: {fc.model_name_}")
    print(f"training spells: {n_train:,} ({n_events:,} ended by an announcement)")
    print(f"inputs (snapshot + franchises):   {t_inputs:.1f} s")
    print(f"training (fit, selection incl.):  {t_fit:.1f} s wall, {c_fit:.1f} s CPU   (target < 60 s)")
    print(f"forecast every waiting show:      {t_predict:.1f} s for {len(shows):,} shows (probabilities)")
    print(f"one detailed forecast (window, factors): {1000 * t_detail:.0f} ms per show")
    print(f"`sequelcast forecast --all` (new process, model fitted): {t_cli:.1f} s wall, {c_cli:.1f} s CPU, "
          f"{len(out.splitlines()) - 1:,} rows   (target < 5 s)")


if __name__ == "__main__":
    main()
