"""The API against a peer's figure (called by bench/__main__.py inside a test database).

Redmine's shape of the same job: 631 units (a root, 30 under it, 20 under each of those),
20 assignments per leaf (12,000 in all) with due dates spread over 2020–2026 and mixed
statuses. The list "open assignments overdue anywhere in the root's subtree, 100 per page"
is served by gunicorn in production mode and measured with wrk on 127.0.0.1: requests per
second at 8 connections, and the 95th percentile latency at 1 connection.

Nothing is printed here: the function returns its figures. PostgreSQL only (SQLite's single
writer and file locking say nothing about a server deployment).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from trienkhai.core.backup import postgres_url
from trienkhai.vntext.text import fold

ROOT_DIR = Path(__file__).resolve().parent.parent
BRANCHES = 30
LEAVES_PER_BRANCH = 20
TASKS = 20  # one assignment of each task per leaf: 600 leaves x 20 = 12,000
FIRST_DUE, LAST_DUE = dt.date(2020, 1, 1), dt.date(2026, 12, 31)
DURATION_S = 10
WARMUP_S = 3
# latency:percentile() is in microseconds; the summary's errors are counted by kind.
_WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("p95_us %d\\n", latency:percentile(95)))
  local e = summary.errors
  io.write(string.format("errors %d\\n", e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def _node(name: str, kind: str, children: list | None = None) -> dict[str, Any]:
    node: dict[str, Any] = {"data": {"name": name, "kind": kind, "search_text": fold(name)}}
    if children:
        node["children"] = children
    return node


def build_tree() -> Any:
    """Root → 30 districts → 20 wards each (631 units)."""
    from trienkhai.units.models import Unit

    districts = [
        _node(
            f"Đảng bộ quận {d + 1}",
            "party_committee",
            [
                _node(f"Đảng ủy phường {d + 1}-{w + 1}", "party_committee")
                for w in range(LEAVES_PER_BRANCH)
            ],
        )
        for d in range(BRANCHES)
    ]
    Unit.objects.load_bulk(
        [_node("Đảng bộ Thành phố (peer)", "party_committee", districts)],
        parent=None,
        bulk_create=True,
    )
    return Unit.objects.filter(depth=1, name="Đảng bộ Thành phố (peer)").order_by("-path").first()


def build_assignments(root: Any, today: dt.date) -> int:
    """20 tasks of the root, each assigned to every leaf, statuses spread as in real life."""
    from trienkhai.tasks import rollup
    from trienkhai.tasks.models import Assignment, Task, bucket_for
    from trienkhai.units.models import Unit

    rng = random.Random(631)  # noqa: S311 - reproducible test data, not security
    kinds = list(Task.Kind.values)
    tasks = Task.objects.bulk_create(
        [
            Task(
                issuer=root,
                title=f"Nhiệm vụ {i + 1} thực hiện Nghị quyết",
                search_text=fold(f"Nhiệm vụ {i + 1} thực hiện Nghị quyết"),
                kind=kinds[i % len(kinds)],
                is_starred=i % 5 == 0,
            )
            for i in range(TASKS)
        ]
    )
    leaves = list(Unit.objects.filter(depth=root.depth + 2, path__startswith=root.path))
    span = (LAST_DUE - FIRST_DUE).days
    now = dt.datetime.now(dt.UTC)
    rows = []
    S = Assignment.State
    for task in tasks:
        for unit in leaves:
            due = FIRST_DUE + dt.timedelta(days=rng.randrange(span + 1))
            roll = rng.random()
            state = S.DONE if roll < 0.4 else S.IN_PROGRESS if roll < 0.65 else S.NOT_STARTED
            done_on = None
            if state == S.DONE:
                done_on = min(today, due + dt.timedelta(days=rng.randrange(-60, 45)))
            rows.append(
                Assignment(
                    task=task,
                    unit=unit,
                    unit_path=unit.path,
                    report_to=root,
                    due_date=due,
                    state=state,
                    bucket=bucket_for(state, due, done_on, today),
                    progress=100 if state == S.DONE else rng.randrange(0, 95, 5),
                    completed_on=done_on,
                    last_update=now if state != S.NOT_STARTED else None,
                )
            )
    Assignment.objects.bulk_create(rows, batch_size=2000)
    rollup.rebuild()
    return len(rows)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_env() -> dict[str, str]:
    """Production mode: DEBUG off, a real secret, no test shortcuts."""
    env = {k: v for k, v in os.environ.items() if k not in ("TRIENKHAI_BENCH", "DEBUG")}
    env.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": postgres_url("postgres"),
            # Persistent connections, as a production deployment runs them.
            "DB_CONN_MAX_AGE": "60",
            # The API serves no static files: no collectstatic manifest is needed.
            "MANIFEST_STATIC": "false",
            "LOG_LEVEL": "WARNING",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    return env


def _wait_until_up(url: str, headers: dict[str, str], proc: subprocess.Popen) -> dict:
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {proc.returncode}")
        try:
            request = urllib.request.Request(url, headers=headers)  # noqa: S310 - 127.0.0.1
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return json.loads(response.read())
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass  # gunicorn is still starting: try again until the deadline
        if time.monotonic() > deadline:
            raise RuntimeError(f"gunicorn did not answer {url} within 60 s")
        time.sleep(0.25)


def _wrk() -> str:
    path = shutil.which("wrk")
    if path is None:  # the bench runs as root in the dev container
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False)
        path = shutil.which("wrk")
        if path is None:
            subprocess.run(["apt-get", "update", "-qq"], check=True)
            subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
            path = shutil.which("wrk")
    if path is None:
        raise RuntimeError("wrk is not installed")
    return path


def _run_wrk(
    wrk: str, url: str, token: str, script: str, *, threads: int, conns: int, seconds: int
) -> dict[str, float]:
    out = subprocess.run(
        [
            wrk,
            f"-t{threads}",
            f"-c{conns}",
            f"-d{seconds}s",
            "--latency",
            # a slow answer is measured, not dropped (wrk's default gives up after 2 s)
            "--timeout",
            "30s",
            "-s",
            script,
            "-H",
            f"Authorization: Token {token}",
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rps = re.search(r"Requests/sec:\s*([0-9.]+)", out)
    p95 = re.search(r"p95_us (\d+)", out)
    errors = re.search(r"errors (\d+)", out)
    if not (rps and p95 and errors):
        raise RuntimeError(f"cannot read wrk's output:\n{out}")
    if int(errors.group(1)) or "Non-2xx" in out:
        # Only answers count: an error, a refused connection or a timeout is a failed bench.
        raise RuntimeError(f"wrk saw failed requests:\n{out}")
    return {"rps": float(rps.group(1)), "p95_ms": int(p95.group(1)) / 1000}


def prepare() -> tuple[int, str]:
    """Build the peer's data set and a reader of the root; returns (root id, API token)."""
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from trienkhai.accounts.models import Membership, User

    root = build_tree()
    n = build_assignments(root, timezone.localdate())
    assert n == 12_000, n
    user = User.objects.create_user(username="peer-bench", full_name="Peer bench")
    Membership.objects.create(user=user, unit=root, role=Membership.Role.LEADER)
    token = Token.objects.create(user=user).key
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return root.pk, token


def measure(root_id: int, token: str, *, workers: int | None = None) -> dict[str, float]:
    """Serve the committed data with gunicorn and measure the overdue list with wrk."""
    connection.close()  # nothing of ours stays open while the server reads
    port = _free_port()
    url = (
        f"http://127.0.0.1:{port}/api/v1/assignments/?subtree={root_id}&overdue=true&page_size=100"
    )
    if workers is None:
        try:
            cores = len(os.sched_getaffinity(0))
        except AttributeError:
            cores = os.cpu_count() or 1
        workers = 2 * cores
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    log = tempfile.NamedTemporaryFile(prefix="peer-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
    proc = subprocess.Popen(
        [
            gunicorn,
            "trienkhai.wsgi",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            # no shared control socket in ~/.gunicorn: two benches may run at once
            "--no-control-socket",
        ],
        cwd=ROOT_DIR,
        env=_server_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    script = Path(tempfile.mkdtemp(prefix="peer-wrk-")) / "p95.lua"
    script.write_text(_WRK_SCRIPT)
    try:
        body = _wait_until_up(url, {"Authorization": f"Token {token}"}, proc)
        if len(body.get("results", [])) != 100 or not body.get("next"):
            raise RuntimeError(f"unexpected first page: {len(body.get('results', []))} rows")
        if any(row["status"] != "overdue" for row in body["results"]):
            raise RuntimeError("the overdue list holds rows that are not overdue")
        wrk = _wrk()
        _run_wrk(wrk, url, token, str(script), threads=2, conns=8, seconds=WARMUP_S)
        c8 = _run_wrk(wrk, url, token, str(script), threads=2, conns=8, seconds=DURATION_S)
        c1 = _run_wrk(wrk, url, token, str(script), threads=1, conns=1, seconds=DURATION_S)
    except Exception:
        log.flush()
        tail = Path(log.name).read_text(errors="replace")[-3000:]
        print(f"# gunicorn log:\n{tail}", file=sys.stderr)
        raise
    finally:
        proc.send_signal(signal.SIGTERM)  # the master stops its workers, then exits
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        Path(log.name).unlink(missing_ok=True)
        shutil.rmtree(script.parent, ignore_errors=True)
    return {
        "peer_overdue_rps_c8": round(c8["rps"], 1),
        "peer_overdue_p95_c1_ms": round(c1["p95_ms"], 1),
    }


def bench_peer() -> dict[str, float]:
    """Requests/s at 8 connections and p95 (ms) at 1 connection of the overdue list."""
    if connection.vendor != "postgresql":
        raise RuntimeError("the peer bench runs on PostgreSQL (set DATABASE_URL)")
    if not transaction.get_autocommit():
        raise RuntimeError("the peer bench needs autocommit: the server reads what it wrote")
    root_id, token = prepare()
    return measure(root_id, token)
