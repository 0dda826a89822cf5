"""The app under gunicorn for the page benchmark: its environment and database, the servers,
the HTTP client that times pages, and the ``wrk`` load generator."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.import_bench import (
    REPO,
    BenchError,
    expect,
    manage,
)
from benchmarks.pages_common import (
    HOST,
    SCRUBBED,
    SERVER_ENV,
    Timing,
    WrkResult,
    log,
)
from benchmarks.pages_machine import (
    CpuMeter,
    process_ticks,
)


# The app's environment ---------------------------------------------------------------------------
def base_env(database_url: str, static_root: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in SCRUBBED and not k.startswith("GUNICORN_")
    }
    env.update(SERVER_ENV, DATABASE_URL=database_url, STATIC_ROOT=str(static_root), **extra)
    return env


def prepare_database(databases, snapshot: Path, occupations: int, soc_dir: Path | None) -> str:
    """A fresh database holding the snapshot and the SOC files; its URL."""
    url = databases.create(1)
    manage(["migrate", "--no-input"], url)
    report = Path(tempfile.gettempdir()) / f"occmaps-pages-bench-{os.getpid()}.json"
    run = manage(["import_maps", str(snapshot)], url, report)
    expect(
        run,
        lambda r: r["totals"]["created"] == occupations,
        f"{databases.label} import_maps",
    )
    log(f"{databases.label}: {run.summary}")
    if soc_dir:
        run = manage(["import_soc", str(soc_dir)], url, report)
        expect(run, lambda r: r["totals"]["created"] > 0, f"{databases.label} import_soc")
        log(f"{databases.label}: {run.summary}")
    return url


def collectstatic(static_root: Path, database_url: str) -> None:
    env = base_env(database_url, static_root)
    process = subprocess.run(
        [sys.executable, str(REPO / "manage.py"), "collectstatic", "--no-input", "-v", "0"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if process.returncode:
        raise BenchError(f"collectstatic failed:\n{process.stdout[-2000:]}{process.stderr[-2000:]}")


def gunicorn_settings(env: dict[str, str]) -> dict:
    """What ``gunicorn.conf.py`` gives under ``env`` (as the servers will read it)."""
    code = (
        "import json, runpy; c = runpy.run_path('gunicorn.conf.py'); "
        "print(json.dumps({k: c[k] for k in ('workers', 'threads', 'timeout', 'keepalive', "
        "'max_requests', 'max_requests_jitter')}))"
    )
    process = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    settings = json.loads(process.stdout)
    import gunicorn

    settings["version"] = gunicorn.__version__
    return settings


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


# gunicorn ----------------------------------------------------------------------------------------
def control_socket_args() -> list[str]:
    """gunicorn 25.1+ opens a control socket at one fixed path per user: two servers (or a
    developer's own) would fight over it, so the benchmark's servers do without."""
    try:
        from gunicorn.config import ControlSocketDisable  # noqa: F401
    except ImportError:
        return []
    return ["--no-control-socket"]


class Server:
    """gunicorn with the committed ``gunicorn.conf.py``, on loopback, started and stopped by us."""

    def __init__(self, name: str, env: dict[str, str], port: int, log_path: Path):
        self.name = name
        self.port = port
        self.env = env | {"GUNICORN_BIND": f"{HOST}:{port}"}
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> Server:
        log_file = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "gunicorn.conf.py",
                *control_socket_args(),
                "occmaps.wsgi",
            ],
            cwd=REPO,
            env=self.env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log_file.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn ({self.name}) exited:\n{self.log_tail()}")
            try:
                status, _, _, _ = request_once(self.port, "/healthz")
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise BenchError(
            f"gunicorn ({self.name}) did not answer in {timeout:g} s:\n{self.log_tail()}"
        )

    def log_tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    def boots(self) -> int:
        """Workers booted so far (the first ones, and any recycled after ``max_requests``)."""
        try:
            return self.log_path.read_text(errors="replace").count("Booting worker with pid")
        except OSError:
            return 0

    def workers(self) -> list[int]:
        if not self.process:
            return []
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            return sorted(int(c) for c in children)
        except OSError:
            found = []
            for status in Path("/proc").glob("[0-9]*/status"):
                try:
                    text = status.read_text()
                except OSError:
                    continue
                if re.search(rf"^PPid:\s+{pid}$", text, re.MULTILINE):
                    found.append(int(status.parent.name))
            return sorted(found)

    def rss(self) -> dict[int, int]:
        """Each worker's resident memory, KiB."""
        sizes = {}
        for pid in self.workers():
            try:
                text = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(r"^VmRSS:\s+(\d+) kB", text, re.MULTILINE)
            if match:
                sizes[pid] = int(match.group(1))
        return sizes

    def ticks(self) -> int:
        """CPU ticks of the master and its workers, recycled ones included."""
        if not self.process or self.process.poll() is not None:
            return 0
        pid = self.process.pid
        return process_ticks(pid, children=True) + sum(process_ticks(w) for w in self.workers())

    def wait_idle(self, timeout: float = 60) -> None:
        """Wait until the server has finished what it was doing (uses no CPU for a moment)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            before = self.ticks()
            time.sleep(0.5)
            if self.ticks() - before <= 2:
                return

    def stop(self) -> None:
        if not self.process or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # the master stops its workers
        try:
            self.process.wait(timeout=35)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # our own session, started above
            self.process.wait()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


# HTTP -------------------------------------------------------------------------------------------
def request_once(port: int, path: str, headers: dict | None = None, timeout: float = 30):
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        body = response.read()
        return response.status, body, dict(response.getheaders()), response
    finally:
        conn.close()


class Client:
    """One keep-alive connection; reconnects when the server closes it between requests."""

    def __init__(self, port: int, timeout: float = 60):
        self.port = port
        self.timeout = timeout
        self.conn: http.client.HTTPConnection | None = None
        self.used = False

    def connect(self) -> None:
        self.close()
        self.conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
        self.used = False

    def close(self) -> None:
        if self.conn:
            self.conn.close()
        self.conn = None

    def get(self, path: str, headers: dict | None = None) -> tuple[int, bytes, float, bool]:
        """Status, body, seconds, and whether a stale kept-alive connection had to be replaced
        first (the server closed it; like a browser, the request is sent again once)."""
        if self.conn is None:
            self.connect()
        retried = False
        while True:
            reused = self.used
            started = time.perf_counter()
            try:
                self.conn.request("GET", path, headers=headers or {})
                response = self.conn.getresponse()
                body = response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                if not reused or retried:
                    self.close()
                    raise
                self.connect()
                retried = True
                continue
            elapsed = time.perf_counter() - started
            self.used = True
            if response.will_close:
                self.close()
            return response.status, body, elapsed, retried


def time_page(
    server: Server,
    path: str,
    count: int,
    databases=None,
    warmup: int = 3,
    headers: dict | None = None,
    expect: int = 200,
) -> Timing:
    client = Client(server.port)
    seconds = []
    size = 0
    meter = CpuMeter((server,), databases)
    try:
        for n in range(warmup + count):
            if n == warmup:
                meter.start()
            status, body, elapsed, _ = client.get(path, headers)
            if status != expect:
                raise BenchError(f"GET {path} on port {server.port}: {status}")
            if n >= warmup:
                seconds.append(elapsed)
                size = len(body)
        meter.stop()
    finally:
        client.close()
    return Timing(
        seconds,
        size,
        app_cpu_ms=meter.per_request_ms(meter.app, count),
        db_cpu_ms=meter.per_request_ms(meter.db, count),
    )


# wrk --------------------------------------------------------------------------------------------
def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("wrk is missing: installing it with apt-get install -y wrk")
        for command in (["apt-get", "install", "-y", "wrk"], ["apt-get", "update"]):
            subprocess.run(command, capture_output=True, check=False)
            if shutil.which("wrk"):
                break
        else:
            subprocess.run(["apt-get", "install", "-y", "wrk"], capture_output=True, check=False)
        found = shutil.which("wrk")
        if found:
            return found
    raise BenchError(
        "wrk is not installed: `sudo apt-get install wrk` on Debian or Ubuntu (or build it from "
        "https://github.com/wg/wrk), then run this again"
    )


def wrk_version(wrk: str) -> str:
    process = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False)
    first = (process.stdout or process.stderr).strip().splitlines()[0]
    return first.split(" Copyright")[0].removeprefix("wrk ").strip()


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def parse_wrk(output: str) -> WrkResult:
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    total = re.search(r"^\s*(\d+) requests in ", output, re.MULTILINE)
    if not rate or not total:
        raise BenchError(f"cannot read wrk's output:\n{output}")
    latency = {
        int(pct): float(value) * UNITS[unit]
        for pct, value, unit in re.findall(
            r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.MULTILINE
        )
    }
    p95 = re.search(r"^bench-p95-us (\d+)", output, re.MULTILINE)
    if p95:
        latency[95] = int(p95.group(1)) / 1000
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return WrkResult(
        requests_per_second=float(rate.group(1)),
        requests=int(total.group(1)),
        latency_ms=latency,
        non_2xx_3xx=int(bad.group(1)) if bad else 0,
        socket_errors=sum(int(x) for x in sockets.groups()) if sockets else 0,
    )


def run_wrk(
    wrk: str, lua: Path, url: str, seconds: int, connections: int, threads: int, headers=()
) -> WrkResult:
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    # wrk gives up on a request after 2 s by default and reconnects, while the server still
    # renders it: under a slow page that turns into a collapse of its own making.
    command += ["--timeout", "30s"]
    command += ["-s", str(lua)]
    for header in headers:
        command += ["-H", header]
    process = subprocess.run(
        [*command, url], capture_output=True, text=True, check=False, timeout=seconds + 60
    )
    if process.returncode:
        raise BenchError(f"wrk failed on {url}:\n{process.stdout}{process.stderr}")
    return parse_wrk(process.stdout)
