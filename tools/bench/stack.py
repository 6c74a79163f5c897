"""The real stack for the benchmark: start/stop, start-to-ready time and memory (RSS).

    python -m tools.bench.stack            # starts the stack once, prints readiness and idle RSS

The account backend runs on a fresh SQLite database in a temporary directory; the action
server and the Rasa server are started by `tools/servers.py`, the same code the conversation
tests use. RSS is read with psutil when it is installed, else from /proc/<pid>/status, and
includes every child process.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Dict, List, Optional

from tools.servers import (
    NO_LIMITS,
    Assistant,
    Backend,
    _start,
    backend_env,
    free_port,
    start_assistant,
    start_backend,
    stop,
)
from tools.wait_for import wait_for

try:  # optional: psutil is not a dependency of the project
    import psutil
except ImportError:  # pragma: no cover - depends on the environment
    psutil = None

LOG_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})")


@dataclass
class Stack:
    """A running backend, action server and Rasa server."""

    workdir: Path
    backend: Backend
    assistant: Assistant
    processes: List[subprocess.Popen]
    readiness: Dict[str, Optional[float]] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.assistant.url

    @property
    def rasa_pid(self) -> int:
        return self.processes[-1].pid

    @property
    def actions_pid(self) -> int:
        return self.processes[-2].pid

    def pids(self) -> Dict[str, int]:
        return {"rasa": self.rasa_pid, "action_server": self.actions_pid}

    def stop(self) -> None:
        stop(self.processes)


def first_turn(url: str, seconds: float = 60) -> bool:
    """Sends "hi" until the REST channel answers with at least one message."""
    body = json.dumps({"sender": f"ready-{uuid.uuid4().hex[:8]}", "message": "hi"}).encode()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        request = urllib.request.Request(
            url + "/webhooks/rest/webhook", body, {"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                if response.status == 200 and json.loads(response.read() or b"[]"):
                    return True
        except (OSError, ValueError):
            pass
        time.sleep(0.2)
    return False


def log_times(log: Path) -> Dict[str, Optional[float]]:
    """Seconds from Rasa's "Loading model" to "Rasa server is up and running" in its log.

    Rasa logs with one-second resolution, so the figure is +-1 s."""
    marks: Dict[str, datetime] = {}
    for line in log.read_text(errors="replace").splitlines():
        match = LOG_TIME.match(line)
        if not match:
            continue
        for key, needle in (("loading", "Loading model"), ("up", "up and running")):
            if needle in line and key not in marks:
                marks[key] = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S")
    if "loading" in marks and "up" in marks:
        return {"model_load_s": (marks["up"] - marks["loading"]).total_seconds()}
    return {"model_load_s": None}


def start_stack(workdir: Optional[Path] = None) -> Stack:
    """Starts everything on free loopback ports and measures the Rasa server's readiness.

    `start_to_root_s`: process start to the first 200 on `/` (polled every 0.5 s);
    `start_to_ready_s`: process start to the first non-empty REST reply."""
    workdir = workdir or Path(tempfile.mkdtemp(prefix="bench-stack-"))
    workdir.mkdir(parents=True, exist_ok=True)
    backend, backend_process = start_backend(workdir, limits=NO_LIMITS)
    started = time.monotonic()
    try:
        assistant, processes = start_assistant(workdir, backend)
    except Exception:
        stop([backend_process])
        raise
    root = time.monotonic() - started
    stack = Stack(workdir, backend, assistant, [backend_process, *processes])
    if not first_turn(assistant.url):
        stack.stop()
        raise RuntimeError("the assistant answered no REST turn")
    stack.readiness = {
        "start_to_root_s": round(root, 2),
        "start_to_ready_s": round(time.monotonic() - started, 2),
        **log_times(assistant.logs[1]),
    }
    return stack


def start_actions(workdir: Path, backend: Backend) -> tuple[str, subprocess.Popen]:
    """Starts only the action server (for an in-process Rasa agent); returns (url, process)."""
    port = free_port()
    # the in-process agent sends no token (ACTION_SERVER_TOKEN): none is checked; loopback only
    env = {**os.environ, **backend_env(backend), "ACTION_SERVER_TOKEN": ""}
    command = [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)]
    process = _start(command, workdir / "action-server.log", env)
    url = f"http://127.0.0.1:{port}"
    if not wait_for(url + "/health", 60):
        stop([process])
        raise RuntimeError("action server did not start")
    return url + "/webhook", process


# --- memory ------------------------------------------------------------------------------


def _children(pid: int) -> List[int]:
    found: List[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(child) for child in task.read_text().split()]
        except OSError:
            continue
    return found


def _proc_rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def rss_bytes(pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes (0 when gone)."""
    if psutil is not None:
        try:
            process = psutil.Process(pid)
            tree = [process, *process.children(recursive=True)]
            return sum(p.memory_info().rss for p in tree if p.is_running())
        except psutil.Error:
            return 0
    return sum(_proc_rss(current) for current in _tree(pid))


def summarize_rss(samples: List[int]) -> Dict[str, Optional[float]]:
    """Peak and mean in MiB of a list of byte samples."""
    if not samples:
        return {"peak_mib": None, "mean_mib": None, "samples": 0}
    mib = [value / 2**20 for value in samples]
    return {
        "peak_mib": round(max(mib), 1),
        "mean_mib": round(statistics.fmean(mib), 1),
        "samples": len(mib),
    }


def _tree(pid: int) -> List[int]:
    pending, found = [pid], []
    while pending:
        current = pending.pop()
        found.append(current)
        pending += _children(current)
    return found


def _stat_ticks(pid: int) -> Optional[int]:
    """utime + stime of one process in clock ticks (fields 14 and 15 of /proc/<pid>/stat)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[11]) + int(fields[12])


def cpu_seconds(pid: int) -> Optional[float]:
    """User + system CPU time of a process and its living descendants; None when gone."""
    if psutil is not None:
        try:
            process = psutil.Process(pid)
            tree = [process, *process.children(recursive=True)]
            return sum(sum(p.cpu_times()[:2]) for p in tree)
        except psutil.Error:
            return None
    if _stat_ticks(pid) is None:
        return None
    ticks = [_stat_ticks(current) for current in _tree(pid)]
    return sum(t for t in ticks if t is not None) / os.sysconf("SC_CLK_TCK")


class RssSampler:
    """Samples the RSS of named processes in a background thread and measures the CPU
    they used meanwhile (percent of one core: 100 = one core fully busy)."""

    def __init__(self, pids: Dict[str, int], interval: float = 0.5) -> None:
        self.pids = pids
        self.interval = interval
        self.samples: Dict[str, List[int]] = {name: [] for name in pids}
        self.cpu_percent: Dict[str, Optional[float]] = {}
        self._cpu_start: Dict[str, Optional[float]] = {}
        self._wall_start = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for name, pid in self.pids.items():
                value = rss_bytes(pid)
                if value:
                    self.samples[name].append(value)
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._cpu_start = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        self._wall_start = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        wall = time.monotonic() - self._wall_start
        for name, pid in self.pids.items():
            start, end = self._cpu_start[name], cpu_seconds(pid)
            known = wall > 0 and start is not None and end is not None
            self.cpu_percent[name] = round(100 * (end - start) / wall, 1) if known else None

    def summary(self) -> Dict[str, Dict[str, Optional[float]]]:
        return {
            name: {**summarize_rss(values), "cpu_percent": self.cpu_percent.get(name)}
            for name, values in self.samples.items()
        }


def sample_idle(stack: Stack, seconds: float = 3.0) -> Dict[str, Dict[str, Optional[float]]]:
    with RssSampler(stack.pids()) as sampler:
        time.sleep(seconds)
    return sampler.summary()


def main() -> int:
    stack = start_stack()
    try:
        print(json.dumps({"readiness": stack.readiness, "idle_rss": sample_idle(stack)}, indent=2))
    finally:
        stack.stop()
        shutil.rmtree(stack.workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
