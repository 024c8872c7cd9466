"""Time a cold `qdeck build` of the five real lists: whole processes, no cache, plus one profile.

Usage:
    .venv/bin/python bench/cold_build.py [--runs N] [--workers N] [--top N] [--write]

Each run is `<venv>/bin/qdeck build --quiet` as a whole process in a fresh temporary copy of
`decks/` and `data/` (the committed lock included, `build/` absent), with QDECK_NO_CACHE=1 and an
empty QDECK_CACHE_DIR, so nothing from an earlier build is reused.  Reported: the median and
range of wall time, the median CPU time of the build and its worker processes (user + system,
steadier than wall time on a shared machine), and the peak RSS.  Then one more run
under cProfile (in-process, so with the same worker count; forked workers are not profiled, so use
`--workers 1` to see the whole search) lists the top functions by cumulative and by own time.

`--write` appends the figures and the profile to bench/results.md under a dated heading.
Run on demand; never as a timed test.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import os
import platform
import pstats
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QDECK = Path(sys.executable).with_name("qdeck")


def fresh_project(parent: Path) -> Path:
    """A copy of the real project with no build folder, so no cache."""
    folder = Path(tempfile.mkdtemp(prefix="cold-", dir=parent))
    shutil.copytree(ROOT / "decks", folder / "decks")
    shutil.copytree(ROOT / "data", folder / "data")
    return folder


def cold_env(folder: Path, workers: int | None) -> dict[str, str]:
    env = dict(os.environ, QDECK_NO_CACHE="1", QDECK_CACHE_DIR=str(folder / "no-cache"),
               PYTHONPATH=str(ROOT / "src"))
    if workers:
        env["QDECK_WORKERS"] = str(workers)
    return env


def timed_build(parent: Path, workers: int | None) -> tuple[float, float, int]:
    """(wall s, cpu s, peak RSS KiB) of one cold build as a whole process."""
    folder = fresh_project(parent)
    start = time.perf_counter()
    process = subprocess.Popen([str(QDECK), "build", "--quiet"], cwd=folder,
                               env=cold_env(folder, workers),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    # wait4's usage covers the build and the worker processes it reaped
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    stderr = process.stderr.read().decode() if process.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"qdeck build failed in {folder}:\n{stderr}")
    shutil.rmtree(folder, ignore_errors=True)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def profile_build(parent: Path, workers: int | None, top: int) -> str:
    """Top functions of one cold build run in this process under cProfile."""
    folder = fresh_project(parent)
    env = cold_env(folder, workers)
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    os.environ.update(env)
    sys.path.insert(0, str(ROOT / "src"))
    os.chdir(folder)
    try:
        from qdeck.cli import cli

        profiler = cProfile.Profile()
        profiler.enable()
        try:
            with contextlib.redirect_stdout(io.StringIO()):  # the build's own summary
                cli.main(["build", "--quiet"], standalone_mode=False)
        finally:
            profiler.disable()
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        shutil.rmtree(folder, ignore_errors=True)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    # keep the table lines only: pstats' headers repeat the totals
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines()
                     if line.strip() and "List reduced" not in line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workers", type=int, default=None,
                        help="QDECK_WORKERS for every run (default: qdeck's own choice)")
    parser.add_argument("--top", type=int, default=25, help="functions listed per profile table")
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--write", action="store_true", help="append the figures to bench/results.md")
    args = parser.parse_args()

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="qdeck-cold-") as tmp:
        parent = Path(tmp)
        runs = [timed_build(parent, args.workers) for _ in range(args.runs)]
        profile = "" if args.no_profile else profile_build(parent, args.workers, args.top)
    load_after = os.getloadavg()
    walls = [wall for wall, _, _ in runs]
    cpus = [cpu for _, cpu, _ in runs]
    peak = max(rss for _, _, rss in runs)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()
    workers = args.workers or "qdeck's default"
    lines = [
        f"## Cold build of the five lists ({datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, "
        f"commit {commit})",
        "",
        f"Written by `bench/cold_build.py --runs {args.runs}"
        + (f" --workers {args.workers}" if args.workers else "") + "`: `qdeck build --quiet` as a "
        "whole process in a fresh copy of `decks/` and `data/`, QDECK_NO_CACHE=1, "
        f"workers: {workers}; python {platform.python_version()}, {os.cpu_count()} cores, "
        f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after.",
        "",
        f"- wall s: median {statistics.median(walls):.2f} (min {min(walls):.2f}, "
        f"max {max(walls):.2f}) over {len(walls)} runs",
        f"- cpu s (user + system, the build and its workers): median {statistics.median(cpus):.2f}",
        f"- peak RSS: {peak / 1024:.0f} MB",
    ]
    if profile:
        lines += ["", "cProfile of one more cold build in one process (cumulative, then own time):",
                  "", "```", profile, "```"]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        results = ROOT / "bench" / "results.md"
        with results.open("a", encoding="utf-8") as handle:
            handle.write("\n" + text)
        print(f"appended to {results}", file=sys.stderr)


if __name__ == "__main__":
    main()
