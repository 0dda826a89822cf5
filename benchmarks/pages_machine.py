"""The machine's other work while the page benchmark runs: measured, and waited out."""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path

from benchmarks.import_bench import (
    PostgresDatabases,
)
from benchmarks.pages_common import (
    log,
)

# The machine's other work -----------------------------------------------------------------------
# The benchmark shares the machine: whatever else runs takes CPU from the servers. It is
# measured (the machine's busy time minus the servers' and the load generator's own) and, up
# to a budget of waiting, the measurements wait for the machine to be quiet.
TICKS = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count() or 1


def machine_ticks() -> tuple[int, int]:
    """All CPU time and the busy part of it since boot, in clock ticks (every core)."""
    values = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return sum(values), sum(values) - values[3] - values[4]  # less idle and iowait


def process_ticks(pid: int, children: bool = False) -> int:
    """A process's CPU ticks; with ``children``, those of its exited children too."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    return ticks + (int(fields[13]) + int(fields[14]) if children else 0)  # cutime, cstime


def own_children_ticks() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) * TICKS


def backend_pids(databases) -> list[int]:
    """The PostgreSQL server processes serving the benchmark's database (none for SQLite)."""
    if not isinstance(databases, PostgresDatabases) or not databases.name:
        return []
    rows = databases.admin.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = %s", [databases.name]
    ).fetchall()
    return [pid for (pid,) in rows]


class CpuMeter:
    """The CPU time spent between :meth:`start` and :meth:`stop` by the app (the gunicorn
    servers), the database (the PostgreSQL processes serving its database), the clients (this
    script and the children it waited for: wrk) and everything else on the machine."""

    def __init__(self, servers=(), databases=None):
        self.servers = servers
        self.databases = databases

    def app_ticks(self) -> int:
        return sum(server.ticks() for server in self.servers)

    def backends(self) -> dict[int, int]:
        return {pid: process_ticks(pid) for pid in backend_pids(self.databases)}

    @staticmethod
    def client_ticks() -> float:
        return own_children_ticks() + process_ticks(os.getpid())

    def start(self) -> CpuMeter:
        self.total, self.busy = machine_ticks()
        self.app0, self.db0, self.client0 = self.app_ticks(), self.backends(), self.client_ticks()
        return self

    def stop(self) -> float:
        """Stop; return the cores that everything else kept busy meanwhile."""
        total, busy = machine_ticks()
        self.app = self.app_ticks() - self.app0
        # Backends that started meanwhile count whole; those that ended meanwhile are lost.
        self.db = sum(t - self.db0.get(pid, 0) for pid, t in self.backends().items())
        self.client = self.client_ticks() - self.client0
        elapsed = total - self.total
        ours = self.app + self.db + self.client
        self.others = max(0.0, (busy - self.busy) - ours) / elapsed * CORES if elapsed else 0.0
        return self.others

    def per_request_ms(self, ticks: float, requests: int) -> float:
        return ticks / TICKS * 1000 / max(1, requests)


class Quiet:
    """Wait (within a budget of seconds for the whole run) until other processes keep less
    than ``threshold`` cores busy."""

    def __init__(self, budget: float, threshold: float = 0.3):
        self.budget = budget
        self.threshold = threshold
        self.waited = 0.0

    def wait(self, servers=(), databases=None) -> None:
        announced = False
        while True:
            meter = CpuMeter(servers, databases).start()
            time.sleep(1.0)
            others = meter.stop()
            if others <= self.threshold or self.waited >= self.budget:
                if announced:
                    log(f"  ...going on with {others:.1f} cores busy elsewhere")
                return
            if not announced:
                log(f"Waiting for the machine to be quiet ({others:.1f} cores busy elsewhere)")
                announced = True
            self.waited += 1.0
