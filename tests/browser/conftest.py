"""Real-browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Outside CI a missing Chromium skips these tests with a loud reason (bin/test also says so);
under CI=true it is a failure, never a skip.
"""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

CHROMIUM = Path("/usr/bin/chromium")
# Flags for a headless root container with no network beyond localhost.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_PASSWORD = "modestwear-demo"

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium package"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message} (CI=true: browser tests are required)")
        pytest.skip(f"BROWSER TESTS NOT RUN: {message}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, tmp_path):
    context = chromium.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    yield page
    context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"


ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture
def screenshot(page, request):
    """Save a full-page screenshot to test-artifacts/screenshots/<test>-<step>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def shoot(step):
        path = ARTIFACTS / f"{request.node.name}-{step}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return shoot


DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def docs_screenshot(page):
    """With DOCS_SCREENSHOTS=1, save the page as docs/screenshots/<name>.png (the README's
    pictures, refreshed by running the journeys); otherwise nothing."""

    def shoot(name):
        if os.environ.get("DOCS_SCREENSHOTS") != "1":
            return None
        path = DOCS / f"{name}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return shoot


@pytest.fixture
def live_demo(transactional_db, live_server):
    call_command("load_demo", "--allow-without-debug", verbosity=0, stdout=open(os.devnull, "w"))
    return live_server


@pytest.fixture
def sign_in(page, live_demo, settings):
    def sign_in(email):
        # The admin index redirects to the login page and back after signing in.
        page.goto(f"{live_demo.url}/{settings.ADMIN_URL_PATH}")
        page.fill("input[name=username]", email)
        page.fill("input[name=password]", DEMO_PASSWORD)
        with page.expect_navigation():
            page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        return page

    return sign_in
