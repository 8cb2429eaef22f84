"""Measured child processes: every system under test runs in its own process (`run_measured`), so wall time and peak
RSS are per system: peak RSS is the kernel's high-water mark of that process (`ru_maxrss` from wait4), not a sample.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.env import REPO, child_env

_RUNNING: set[subprocess.Popen] = set()


def log_signals() -> None:
    """Say in the log when a run is stopped by a signal (another process ending it), then stop as asked."""
    import signal

    def stop(number: int, _frame: Any) -> None:
        when = time.strftime("%H:%M:%S")
        print(f"[bench] {Path(sys.argv[0]).name} (pid {os.getpid()}) got signal {number} at {when}", file=sys.stderr)
        for child in list(_RUNNING):  # don't leave the measured child running on its own
            if child.poll() is None:
                child.send_signal(number)
        signal.signal(number, signal.SIG_DFL)
        os.kill(os.getpid(), number)

    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(number, stop)


def run_measured(cmd: Sequence[str], label: str, timeout: float | None = None) -> dict[str, Any]:
    """Run `cmd` with stderr passed through; return its exit code, wall seconds, peak RSS and parsed stdout.

    The last stdout line that parses as a JSON object is returned as `json` (children print their result so).
    """
    print(f"[bench] {label}: {' '.join(map(str, cmd))}", file=sys.stderr, flush=True)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryFile("w+") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(list(map(str, cmd)), stdout=out, stderr=None, env=child_env(), cwd=REPO)
        _RUNNING.add(proc)
        deadline = started + timeout if timeout else None
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if deadline and time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        _RUNNING.discard(proc)
        out.seek(0)
        stdout = out.read()
    parsed = None
    for line in reversed(stdout.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                parsed = json.loads(line)
                break
            except json.JSONDecodeError:
                continue
    result = {
        "cmd": [str(c) for c in cmd],
        "exit_code": proc.returncode,
        "wall_seconds": round(wall, 3),
        # CPU seconds are far less sensitive than wall time to other work on the machine: report both.
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),  # Linux reports KiB
        "loadavg_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],  # before, after
        "json": parsed,
    }
    if proc.returncode != 0:
        result["stdout_tail"] = stdout[-2000:]
        print(f"[bench] {label} exited {proc.returncode}", file=sys.stderr, flush=True)
    return result
