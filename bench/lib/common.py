"""Shared helpers of the benchmark scripts: percentiles, process CPU, a live server, result
files and the comparison with the previous run.

No Django import here: the ingest benchmark drives a server in another process.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / "bench" / "results"
BIN = Path(sys.executable).parent


def percentile(values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (0–100), nearest-rank; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(p / 100 * len(ordered))))
    return ordered[rank - 1]


def latency_summary(seconds: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99/max/mean in milliseconds, rounded for a small JSON file."""
    ms = [s * 1000 for s in seconds]
    return {
        "p50_ms": round(percentile(ms, 50), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "max_ms": round(max(ms), 2) if ms else 0.0,
        "mean_ms": round(statistics.fmean(ms), 2) if ms else 0.0,
    }


def machine() -> dict[str, Any]:
    """What the numbers were measured on, including how busy it was."""
    load = os.getloadavg()
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "loadavg_1m_before": round(load[0], 2),
        "platform": platform.platform(terse=True),
    }


# --- CPU time of a process tree (Linux /proc) -------------------------------------------


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and all its live descendants (0 off Linux)."""
    if not Path("/proc").is_dir():
        return 0.0
    tick = os.sysconf("SC_CLK_TCK")
    tree = _children()
    total = 0.0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
        todo.extend(tree.get(p, []))
    return total


# --- a live `wowdesk serve` ------------------------------------------------------------


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base_url: str
    token: str
    data_dir: Path
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid


def wowdesk(args: list[str], env: dict[str, str]) -> str:
    """Run the ``wowdesk`` command of this venv; its stdout."""
    done = subprocess.run(
        [str(BIN / "wowdesk"), *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"wowdesk {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return done.stdout


# The settings a bench passes on to the server it starts: the database and the channel
# layer under test (``WOWDESK_DATABASE_URL=postgres://… python -m bench.ingest`` benches
# PostgreSQL; give it an empty database). Every other WOWDESK_* setting is the default.
PASSED_ON = ("WOWDESK_DATABASE_URL", "WOWDESK_REDIS_URL")


def server_env(data_dir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WOWDESK_") or k in PASSED_ON}
    env["WOWDESK_DATA_DIR"] = str(data_dir)
    env.update(extra or {})
    return env


async def wait_until_quiet(
    pid: int, *, below: float = 0.05, every: float = 0.5, at_most: float = 60.0
) -> float:
    """Wait until the process tree of ``pid`` uses less than ``below`` of a core over
    ``every`` seconds (models loaded, background work done); the seconds waited."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < at_most:
        cpu = tree_cpu_seconds(pid)
        await asyncio.sleep(every)
        if (tree_cpu_seconds(pid) - cpu) / every < below:
            break
    return time.monotonic() - t0


@contextmanager
def live_server(
    data_dir: Path,
    port: int,
    *,
    workers: int = 1,
    fresh: bool = True,
    email: str = "bench@example.com",
    extra_env: dict[str, str] | None = None,
    ready_timeout: float = 60.0,
) -> Iterator[Server]:
    """Migrate a data dir, make an admin token, serve on 127.0.0.1:port; stop on exit."""
    if fresh and data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    # The inbound SMTP listener `wowdesk serve` starts gets a port of its own, next to ours.
    env = server_env(data_dir, {"WOWDESK_SMTP_PORT": str(port + 1000), **(extra_env or {})})
    wowdesk(["migrate"], env)
    token = wowdesk(["token", "create", "--email", email, "--role", "admin"], env).strip()
    token = token.splitlines()[-1]
    log_path = data_dir / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                str(BIN / "wowdesk"),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
                "--no-migrate",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base_url = f"http://127.0.0.1:{port}"
    server = Server(process, base_url, token, data_dir, log_path)
    try:
        deadline = time.monotonic() + ready_timeout
        ready = 0
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited: {log_path.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{base_url}/api/v1/health", timeout=2) as r:
                    if r.status == 200:
                        ready += 1
                        # with several workers, give each a moment to come up too
                        if ready >= 3 * workers:
                            break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server not ready: {log_path.read_text()[-2000:]}")
            time.sleep(0.2)
        yield server
    finally:
        stop_process(process)


def stop_process(process: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    """SIGTERM the server's own process group (it was started in a new session), then KILL."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=grace)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=grace)


# --- results ---------------------------------------------------------------------------


def _numbers(data: Any, prefix: str = "") -> dict[str, float]:
    """Flatten a result into ``a.b.c -> number`` for comparison."""
    out: dict[str, float] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            out.update(_numbers(value, f"{prefix}{key}."))
    elif isinstance(data, (int, float)) and not isinstance(data, bool):
        out[prefix.rstrip(".")] = float(data)
    return out


def compare(new: dict[str, Any], old: dict[str, Any], keys: Sequence[str]) -> dict[str, Any]:
    """``new/old`` for every flattened key that ends in one of ``keys`` and is in both."""
    a, b = _numbers(new), _numbers(old)
    ratios: dict[str, Any] = {}
    for key in sorted(a):
        if key in b and any(key.endswith(k) for k in keys) and b[key]:
            ratios[key] = {"old": b[key], "new": a[key], "new/old": round(a[key] / b[key], 3)}
    return ratios


def save_and_compare(
    name: str, result: dict[str, Any], keys: Sequence[str], out_dir: Path | None = None
) -> dict[str, Any]:
    """Write ``<out_dir>/<name>.json`` and return the comparison with the file it replaces."""
    out_dir = out_dir or RESULTS
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}.json"
    comparison: dict[str, Any] = {}
    if path.exists():
        try:
            old = json.loads(path.read_text())
            comparison = {
                "previous_run_at": old.get("run_at"),
                "ratios": compare(result, old, keys),
            }
        except (ValueError, OSError):
            comparison = {"previous_run_at": None, "ratios": {}}
    path.write_text(json.dumps(result, indent=2, sort_keys=False) + "\n")
    return comparison


def publish(
    result: dict[str, Any],
    name: str,
    keys: Sequence[str],
    *,
    save: bool = True,
    out_dir: Path | None = None,
) -> dict[str, Any]:
    """The end of every benchmark: save ``result`` (unless ``save`` is off), attach and
    print to stderr the comparison with the previous file, print the result as JSON."""
    if save:
        result["comparison"] = save_and_compare(
            name, {k: v for k, v in result.items() if k != "comparison"}, keys, out_dir
        )
        print(json.dumps(result["comparison"], indent=2), file=sys.stderr)
    print(json.dumps(result, indent=2))
    return result


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
