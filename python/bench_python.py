"""Benchmark, run by hand: a million-row population through Python against
the CLI, on the same machine, each side run in turn several times.

    AVENANT_PYTHON_PROFILE=release bash .ci/setup-python   # the package as `pip install` builds it
    .venv/bin/python python/bench_python.py [--rows 1000000] [--rounds 5]

Sides (each its own process, so that its peak memory is its own):
- cli csv: `avenant eval --profiles pop.csv --out out.csv --errors e.csv`
  (the baseline: every file CSV);
- cli parquet: `avenant eval --profiles pop.parquet --out out.parquet --errors
  e.parquet` (every file Parquet);
- python pandas: `policy.evaluate(frame)` on a pandas frame already in memory
  (read from the Parquet file before the clock starts), typed outcomes out.

Both are built as their users get them, with cargo's release profile
(whole-program LTO): `cargo install --path .` builds the CLI so, and `pip
install ./python` the package (maturin builds wheels with it); so both run
the same code, compiled alike.
Prints the median wall time of each side, its ratio to the baseline, and the
peak resident memory of each side's process; the load average before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import resource
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
ON = "2024-10-01"


def binary() -> pathlib.Path:
    subprocess.run(["cargo", "build", "--quiet", "--release", "--bin", "avenant"], check=True, cwd=ROOT)
    return ROOT / "target" / "release" / "avenant"


def run_child(command: list[str]) -> tuple[float, int]:
    """Wall seconds and peak resident kilobytes of a command."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{command} failed: {status}")
    return elapsed, usage.ru_maxrss


def python_side(parquet: str) -> None:
    """In a child process: read the frame, then time its evaluation alone."""
    import pandas as pd
    import pyarrow.parquet as pq

    import avenant

    policy = avenant.load(ROOT / "policies", on=ON)
    frame = pq.read_table(parquet).to_pandas(types_mapper=pd.ArrowDtype)
    start = time.perf_counter()
    evaluation = policy.evaluate(frame)
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": elapsed, "peak_kb": peak, "rows_out": evaluation.rows_out}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--folder", default="/tmp/avenant-bench")
    parser.add_argument("--python-side", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.python_side:
        python_side(arguments.python_side)
        return
    folder = pathlib.Path(arguments.folder)
    folder.mkdir(parents=True, exist_ok=True)
    avenant = str(binary())
    csv_in, parquet_in = folder / "population.csv", folder / "population.parquet"
    rows = str(arguments.rows)
    subprocess.run([avenant, "population", "--size", rows, "--out", str(csv_in)], check=True)
    subprocess.run([avenant, "population", "--size", rows, "--out", str(parquet_in)], check=True)
    evaluate = [avenant, "eval", "policies", "--on", ON, "--allow-rejects"]
    sides = {
        "cli csv -> csv": evaluate
        + ["--profiles", str(csv_in), "--out", str(folder / "out.csv"), "--errors", str(folder / "e1.csv")],
        "cli parquet -> parquet": evaluate
        + ["--profiles", str(parquet_in), "--out", str(folder / "out.parquet"), "--errors", str(folder / "e2.parquet")],
    }
    times: dict[str, list[float]] = {name: [] for name in [*sides, "python pandas -> pandas"]}
    peaks: dict[str, int] = {}
    load_before = os.getloadavg()
    for _ in range(arguments.rounds):
        for name, command in sides.items():
            seconds, peak = run_child(command)
            times[name].append(seconds)
            peaks[name] = max(peaks.get(name, 0), peak)
        output = subprocess.run(
            [sys.executable, __file__, "--python-side", str(parquet_in)], check=True, capture_output=True, text=True
        ).stdout
        measured = json.loads(output)
        times["python pandas -> pandas"].append(measured["seconds"])
        peaks["python pandas -> pandas"] = max(peaks.get("python pandas -> pandas", 0), measured["peak_kb"])
    load_after = os.getloadavg()
    baseline = statistics.median(times["cli csv -> csv"])
    print(f"{arguments.rows} rows, {arguments.rounds} rounds interleaved, {os.cpu_count()} cores")
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f}")
    print(f"{'side':28} {'median s':>9} {'ratio':>6} {'peak MiB':>9}  runs")
    for name, values in times.items():
        median = statistics.median(values)
        runs = " ".join(f"{value:.2f}" for value in values)
        print(f"{name:28} {median:9.2f} {median / baseline:6.2f} {peaks[name] / 1024:9.0f}  {runs}")


if __name__ == "__main__":
    main()
