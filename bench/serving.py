"""`archive-qa serve` and `chroma run` for a benchmark: a free loopback port, whether it answers, its own process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bench.env import REPO, archive_qa_cmd, child_env
from bench.loopback import free_port, page_answers

# Settings that would point the app elsewhere than a private loopback app on a temporary store.
_DROP_ENV = ("ARCHIVE_QA_CHROMA_URL", "ARCHIVE_QA_HOST", "ARCHIVE_QA_PORT", "ARCHIVE_QA_AUTH", "ARCHIVE_QA_STORE")


def peak_rss_mib(pid: int) -> float | None:
    """The kernel's high-water mark of the process's resident memory (VmHWM), read before it is stopped."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


class App:
    """`archive-qa serve` on a free loopback port, in its own process group."""

    def __init__(self, store: Path, answerer: str, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        env = {k: v for k, v in child_env().items() if k not in _DROP_ENV}
        cmd = [*archive_qa_cmd(), "serve", "--store", str(store), "--host", "127.0.0.1", "--port", str(self.port)]
        self.log = log
        self.started = time.perf_counter()
        with open(log, "wb") as out:
            self.process = subprocess.Popen(
                [*cmd, "--answerer", answerer],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=REPO,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float) -> float:
        while not page_answers(self.url):
            if self.process.poll() is not None:
                raise RuntimeError(f"serve exited {self.process.returncode}: {self.log.read_text()[-3000:]}")
            if time.perf_counter() - self.started > timeout:
                raise RuntimeError(f"serve not answering after {timeout:.0f} s: {self.log.read_text()[-3000:]}")
            time.sleep(0.2)
        return time.perf_counter() - self.started

    def stop(self) -> None:
        _stop_group(self.process)


class ChromaServer:
    """`chroma run` over the Chroma data folder `data` on a free loopback port, in its own process group."""

    def __init__(self, data: Path, log: Path) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        chroma = Path(sys.executable).with_name("chroma")
        with open(log, "wb") as out:
            self.process = subprocess.Popen(
                [str(chroma), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=child_env(),
                start_new_session=True,
            )

    def wait_ready(self, timeout: float) -> bool:
        """Whether the heartbeat answers within `timeout` seconds (False at once if the server exits)."""
        deadline = time.perf_counter() + timeout
        while not page_answers(f"{self.url}/api/v2/heartbeat"):
            if self.process.poll() is not None or time.perf_counter() > deadline:
                return False
            time.sleep(0.3)
        return True

    def stop(self) -> None:
        _stop_group(self.process)


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process's group, SIGKILL it if it is still running 15 s later."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)
