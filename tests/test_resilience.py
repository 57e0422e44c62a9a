"""The service survives a PostgreSQL restart mid-traffic: requests fail while the database
is down, then every worker recovers (persistent connections are health-checked) with no
broken worker left behind. Uses its own throwaway PostgreSQL, never the suite's."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


@pytest.fixture
def throwaway_postgres():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver
    data = ROOT / ".pgdata-resilience"
    shutil.rmtree(data, ignore_errors=True)
    server = pgserver.get_server(data, cleanup_mode="stop")
    yield server, data
    server.cleanup()
    shutil.rmtree(data, ignore_errors=True)


def restart(server, data):
    from pgserver._commands import pg_ctl

    pg_ctl(["-w", "-m", "fast", "restart"], pgdata=data, user=server.system_user)


def status(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def test_every_worker_recovers_after_a_database_restart(throwaway_postgres):
    server, data = throwaway_postgres
    socket_dir = server.get_postmaster_info().socket_dir.as_posix()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="backoffice.settings.base",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="resilience-test-" + "r" * 40,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DATABASE_URL=f"postgres://postgres@{quote(socket_dir, safe='')}/postgres",
    )
    gunicorn = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "backoffice.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--access-logfile",
            "/dev/null",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}/health"
    try:
        deadline = time.time() + 60
        while status(url) != 200:
            assert time.time() < deadline, "gunicorn did not come up"
            time.sleep(0.3)
        assert all(status(url) == 200 for _ in range(20))  # both workers hold connections

        restart(server, data)

        # The first requests after the restart may meet a dead connection; within a few
        # seconds every request, on every worker, succeeds again.
        deadline = time.time() + 30
        while True:
            results = [status(url) for _ in range(20)]
            if all(code == 200 for code in results):
                break
            assert time.time() < deadline, f"not recovered: {results}"
            assert None not in results, "a worker died"
            time.sleep(0.5)
        assert gunicorn.poll() is None  # the service itself never went down
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
