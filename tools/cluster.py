"""The cluster profile (scripts/cluster.sh) started for tests on free loopback ports."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List

from tools.servers import ROOT, Assistant, Backend, free_port


@dataclass
class Cluster:
    directory: Path
    env: Dict[str, str]
    front: Assistant  # nginx: round robin over the replicas
    replicas: List[Assistant]  # each Rasa replica directly

    def script(self, *args: str, timeout: float = 300) -> str:
        done = subprocess.run(
            ["bash", "scripts/cluster.sh", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode != 0:
            raise RuntimeError(f"cluster.sh {' '.join(args)}: {done.stdout}\n{done.stderr}")
        return done.stdout

    def env_tracker_url(self) -> str:
        """Where the replicas keep conversations (scripts/cluster.sh cluster_env)."""
        return f"postgresql://nuget@127.0.0.1:{self.env['CLUSTER_PG_PORT']}/tracker"

    def logs(self) -> List[Path]:
        return sorted((self.directory / "logs").glob("*.log"))

    def log_tail(self, part: str, lines: int = 40) -> str:
        """The end of one part's log (e.g. "rasa-1"), for a failing test's message."""
        path = self.directory / "logs" / f"{part}.log"
        if not path.exists():
            return f"(no {path.name})"
        text = path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
        return f"{path.name}, last lines:\n" + "\n".join(text)


def start_cluster(directory: Path) -> Cluster:
    rasa_ports = [free_port(), free_port()]
    ports = {
        "CLUSTER_DIR": str(directory),
        "CLUSTER_PORT": str(free_port()),
        "CLUSTER_ACTION_PORT": str(free_port()),
        "CLUSTER_RASA_PORTS": " ".join(map(str, rasa_ports)),
        "CLUSTER_ACTION_PORTS": f"{free_port()} {free_port()}",
        "CLUSTER_BACKEND_PORT": str(free_port()),
        "CLUSTER_PG_PORT": str(free_port()),
        "CLUSTER_REDIS_PORT": str(free_port()),
        # PostgreSQL and nginx's workers run as other users, who cannot enter pytest's
        # 0700 directories
        "CLUSTER_SHARED_DIR": f"/tmp/nuget-assistant-cluster-{os.getpid()}",
        # the soak and hand-over tests replay the demo accounts many times
        "LOOKUP_LIMIT_PER_CLIENT": "1000000",
        "LOOKUP_LIMIT_TOTAL": "1000000",
        "SUPPORT_LIMIT_PER_CLIENT": "1000000",
        "SUPPORT_LIMIT_TOTAL": "1000000",
    }
    env = {**os.environ, **ports}
    backend = Backend(f"http://127.0.0.1:{ports['CLUSTER_BACKEND_PORT']}", "", directory)
    cluster = Cluster(
        directory,
        env,
        Assistant(f"http://127.0.0.1:{ports['CLUSTER_PORT']}", backend, []),
        [Assistant(f"http://127.0.0.1:{port}", backend, []) for port in rasa_ports],
    )
    cluster.script("start")
    return cluster
