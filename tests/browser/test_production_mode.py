"""Production mode for real: debug off, collectstatic, gunicorn, Chromium. Every asset loads
with long cache headers, the Content-Security-Policy blocks nothing unfold needs, and two
instances share no state (sessions in the database, cache in Redis when available)."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import global_settings, settings
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.test import override_settings

from apps.users.models import User
from tests.browser.conftest import DEMO_PASSWORD
from tests.production import database_url, free_port

ROOT = Path(settings.BASE_DIR)
pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "feed"])


@pytest.fixture(scope="module")
def production_env(tmp_path_factory):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="backoffice.settings.base",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="production-mode-test-" + "k" * 40,
        DJANGO_ALLOWED_HOSTS="localhost",
        DJANGO_SECURE_SSL_REDIRECT="0",  # gunicorn speaks HTTP here; Render terminates TLS
        DJANGO_STATIC_ROOT=str(tmp_path_factory.mktemp("static")),
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env={**env, "DATABASE_URL": "postgres://unused@localhost/unused"},
        check=True,
        timeout=300,
    )
    return env


@pytest.fixture
def instances(production_env):
    call_command("load_demo", "--allow-without-debug", verbosity=0, stdout=open(os.devnull, "w"))
    # The suite hashes with MD5 for speed; production knows only PBKDF2 and friends.
    with override_settings(PASSWORD_HASHERS=global_settings.PASSWORD_HASHERS):
        User.objects.filter(email="admin@modestwear.example").update(
            password=make_password(DEMO_PASSWORD)
        )
    env = {**production_env, "DATABASE_URL": database_url()}
    servers = []
    for _ in range(2):
        port = free_port()
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "backoffice.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        servers.append((process, f"http://localhost:{port}"))
    deadline = time.time() + 60
    for _, url in servers:
        while True:
            try:
                socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])), 1).close()
                break
            except OSError:
                if time.time() > deadline:
                    pytest.fail("gunicorn did not start")
                time.sleep(0.3)
    yield [url for _, url in servers]
    for process, _ in servers:
        process.terminate()
        process.wait(timeout=30)


def test_the_admin_loads_every_asset_under_the_policy(chromium, instances, tmp_path):
    first, second = instances
    context = chromium.new_context()
    page = context.new_page()
    failures, violations, errors = [], [], []
    page.on("response", lambda r: r.status >= 400 and failures.append(f"{r.status} {r.url}"))
    page.on("console", lambda m: "Content Security Policy" in m.text and violations.append(m.text))
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"{first}/admin/login/?next=/admin/")
    page.fill("input[name=username]", "admin@modestwear.example")
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.locator("#dashboard").count() == 1
    for path in [
        "/admin/catalog/product/",
        "/admin/catalog/product/1/change/",
        "/admin/orders/order/",
        "/admin/catalog/category/",
    ]:
        page.goto(f"{first}{path}")
        page.wait_for_load_state("networkidle")
    # Media is Cloudinary's in production; without CLOUDINARY_URL here, /media/ is not served.
    assert [f for f in failures if "/media/" not in f] == []
    assert violations == [] and errors == []

    css = page.locator("link[rel=stylesheet]").first.get_attribute("href")
    assert "/static/" in css and css.count(".") >= 2  # a hashed file name
    headers = page.request.get(f"{first}{css}").headers
    assert (
        "max-age=315360000" in headers["cache-control"] or "immutable" in headers["cache-control"]
    )
    assert (
        "default-src 'self'"
        in page.request.get(f"{first}/admin/").headers["content-security-policy"]
    )

    # The second instance knows this session: nothing about it lives in the first process.
    page.goto(f"{second}/admin/catalog/product/")
    assert "/login/" not in page.url and page.locator("#result_list").count() == 1
    context.close()
