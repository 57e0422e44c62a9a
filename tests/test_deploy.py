"""The Render Blueprint, run as Render runs it: the build command's Django steps and the start
command (migrate, sync_roles, gunicorn answering the health check) in production mode, with
every variable that ``.env.example`` and the README's deploy section name set to a realistic
value, on a throwaway database. Nothing may reach the network beyond this machine: a guard in
each process refuses (and records) any connection to a non-loopback address, so a build that
called Cloudinary or a start that needed a remote service fails here, not on Render."""

import json
import os
import re
import secrets
import shlex
import subprocess
import sys
import textwrap
from pathlib import Path

import psycopg
import pytest
import yaml
from django.conf import settings
from django.db import connection

from tests.production import database_url, free_port, get, wait_for_port

ROOT = Path(settings.BASE_DIR)
BLUEPRINT = yaml.safe_load((ROOT / "render.yaml").read_text())
WEB = next(service for service in BLUEPRINT["services"] if service["type"] == "web")
PUBLIC_HOST = "backoffice.modestwear.example"
RENDER_HOST = "modestwear-backoffice.onrender.com"
ADMIN_PATH = "backstage-7f3k2/"

# The guard every process of the deploy starts with (as a sitecustomize on PYTHONPATH).
NETWORK_GUARD = textwrap.dedent(
    """
    import ipaddress, os, sys

    LOG = os.environ["NETWORK_GUARD_LOG"]

    def _local(host):
        if host in (None, "", "localhost") or str(host).startswith("/"):
            return True
        try:
            return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
        except ValueError:
            return False

    def _guard(event, args):
        if event == "socket.getaddrinfo":
            host = args[0]
        elif event == "socket.connect" and isinstance(args[1], tuple):
            host = args[1][0]
        else:
            return
        if isinstance(host, bytes):
            host = host.decode()
        if not _local(host):
            with open(LOG, "a") as log:
                log.write(f"{event} {host!r} in {' '.join(sys.argv)}\\n")
            raise OSError(f"network access to {host!r} refused by the deploy test")

    sys.addaudithook(_guard)
    """
)


def env_example_keys() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def readme_deploy_variables() -> set[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Deploying", 1)[1].split("\n## ", 1)[0]
    names = set(re.findall(r"`([A-Z][A-Z0-9]*_[A-Z0-9_]+)`", section))
    return names - {"SECURE_PROXY_SSL_HEADER"}  # a Django setting, not a variable


def realistic_environment(tmp_path: Path, database: str, redis_port: int) -> dict[str, str]:
    """A value for every variable the project documents, as a shop would set them."""
    values = {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),  # Render's generateValue
        "DJANGO_ALLOWED_HOSTS": PUBLIC_HOST,
        "DATABASE_URL": database,
        "DJANGO_EMBEDDED_DB": "0",
        "EMBEDDED_PGDATA": "",
        "CLOUDINARY_URL": "cloudinary://123456789012345:AbCdEfGhIjKlMnOpQrStUvWxYz0@modestwear",
        # Render's Key Value by its internal address; nothing listens there during the test,
        # so neither the build nor the start may depend on the cache being up.
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
        "DJANGO_ADMIN_PATH": ADMIN_PATH,
        "LOW_STOCK_THRESHOLD": "5",
        "SHOP_CURRENCY": "GBP",
        "DJANGO_LOG_LEVEL": "WARNING",
        "IMPORT_MAX_BYTES": "10485760",
        "IMPORT_MAX_ROWS": "200000",
        "IMAGE_MAX_BYTES": "10485760",
        "IMAGE_MAX_PIXELS": "24000000",
        "STOREFRONT_ORIGINS": "https://www.modestwear.example,https://modestwear.example",
        "DATABASE_REPLICA_URL": database,
        "FEED_STATEMENT_TIMEOUT_MS": "3000",
        "FEED_VERSION_TTL": "1",
        "FEED_CACHE_BODIES": "1",
        "DJANGO_CSRF_TRUSTED_ORIGINS": f"https://{PUBLIC_HOST}",
        "DJANGO_TRUSTED_PROXY_COUNT": "1",
        "DJANGO_SECURE_SSL_REDIRECT": "1",
        "DJANGO_HSTS_SECONDS": "31536000",
        "DJANGO_HSTS_PRELOAD": "1",
        "DJANGO_LOGIN_FAILURE_LIMIT": "5",
        "DJANGO_LOGIN_COOLOFF_MINUTES": "15",
        "DJANGO_ACCOUNT_FAILURE_LIMIT": "20",
        "DJANGO_ACCOUNT_FAILURE_MINUTES": "60",
        "EMAIL_URL": "smtp+tls://apikey:SG.dummy-secret@smtp.sendgrid.net:587",
        "DEFAULT_FROM_EMAIL": "ModestWear <no-reply@modestwear.example>",
        "HEALTH_TOKEN": secrets.token_urlsafe(24),
        "RENDER_EXTERNAL_HOSTNAME": RENDER_HOST,
        "DJANGO_STATIC_ROOT": str(tmp_path / "staticfiles"),
        "SUBMISSION_KEY_MAX_AGE_DAYS": "7",
        "SUBMISSION_WAIT_MS": "10000",
    }
    # A variable documented without a value here would go untested: fail until it has one.
    assert env_example_keys() == set(values), env_example_keys() ^ set(values)
    assert readme_deploy_variables() <= set(values), readme_deploy_variables() - set(values)
    fixed = {var["key"]: str(var["value"]) for var in WEB["envVars"] if "value" in var}
    guard_dir = tmp_path / "guard"
    guard_dir.mkdir()
    (guard_dir / "sitecustomize.py").write_text(NETWORK_GUARD)
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    return {
        **base,
        **fixed,
        **values,
        "DJANGO_SETTINGS_MODULE": "backoffice.settings.base",
        "PYTHONPATH": str(guard_dir),
        "NETWORK_GUARD_LOG": str(tmp_path / "network.log"),
        # `python` in the Blueprint's commands is the suite's interpreter, as on Render.
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }


def steps(command: str) -> list[str]:
    return [step.strip() for step in command.split("&&")]


@pytest.fixture
def throwaway_database():
    name = f"deploy_{secrets.token_hex(4)}"
    params = {
        "user": connection.settings_dict["USER"],
        "host": connection.settings_dict["HOST"],
        "port": connection.settings_dict["PORT"] or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield database_url(name)
    with psycopg.connect(**params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(step: str, env: dict, timeout: int = 300) -> subprocess.CompletedProcess:
    result = subprocess.run(
        ["bash", "-c", step], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, f"`{step}` failed:\n{result.stdout}\n{result.stderr}"
    return result


def test_the_blueprint_builds_and_starts_with_every_documented_variable(
    throwaway_database, tmp_path
):
    env = realistic_environment(tmp_path, throwaway_database, redis_port=free_port())
    build = steps(WEB["buildCommand"])
    # The install step is the one thing not repeated: this suite runs in that environment.
    assert build[0].startswith("pip install") and "-r requirements.txt" in build[0]
    for step in build[1:]:
        assert step.startswith("python manage.py "), step
        run(step, env)
    static_root = Path(env["DJANGO_STATIC_ROOT"])
    assert (static_root / "staticfiles.json").is_file()  # whitenoise's manifest, not Cloudinary

    *management, serve = steps(WEB["startCommand"])
    for step in management:
        assert step.startswith("python manage.py "), step
        run(step, env)

    # Production settings with these variables: clean deploy checks, media on Cloudinary.
    check = run("python manage.py check --deploy --fail-level WARNING", env)
    assert "no issues" in check.stdout, check.stdout + check.stderr
    storages = run(
        'python manage.py shell -v0 -c "from django.core.files.storage import storages; '
        "print(type(storages['default']).__name__, type(storages['staticfiles']).__name__)\"",
        env,
    )
    assert storages.stdout.split() == [
        "MediaCloudinaryStorage",
        "CompressedManifestStaticFilesStorage",
    ]

    port = free_port()
    server = subprocess.Popen(
        ["bash", "-c", f"exec {serve}"],
        cwd=ROOT,
        env={**env, "PORT": str(port), "WEB_CONCURRENCY": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert wait_for_port(port), f"gunicorn did not start: {shlex.quote(serve)}"
        base = f"http://127.0.0.1:{port}"
        # The probe comes over plain HTTP with whatever Host the platform uses.
        assert get(f"{base}/healthz", {"Host": RENDER_HOST})[0] == 200
        assert get(f"{base}/healthz", {"Host": "10.214.3.7:10000"})[0] == 200
        # The admin answers on its configured path, with hashed static files that whitenoise
        # serves from the build's output.
        https = {"Host": PUBLIC_HOST, "X-Forwarded-Proto": "https"}
        status, page = get(f"{base}/{ADMIN_PATH}login/", https)
        assert status == 200, page[:500]
        stylesheet = re.search(rb'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', page)
        assert stylesheet, "no hashed stylesheet on the sign-in page"
        assert get(base + stylesheet.group(1).decode(), https)[0] == 200
        # Paths that would forge or break a log line in a format-string access log.
        get(f"{base}/healthz%0A%7B%22forged%22%3A%201%7D", https)
        get(f"{base}/x%5C%22", https)
    finally:
        server.terminate()
        access_log, errors = server.communicate(timeout=30)
    entries = [json.loads(line) for line in access_log.splitlines() if line.strip()]
    assert {'/healthz\n{"forged": 1}', '/x\\"'} <= {e["path"] for e in entries}
    assert not any("forged" in entry for entry in entries)
    network_log = tmp_path / "network.log"
    assert not network_log.exists(), network_log.read_text()
    assert "Traceback" not in errors, errors
