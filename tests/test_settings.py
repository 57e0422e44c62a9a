"""Production settings come from the environment and refuse to start without what they need."""

import json
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings

PRODUCTION = {
    "DJANGO_SECRET_KEY": "x" * 50,
    "DATABASE_URL": "postgres://shop:pw@db.example.neon.tech:5432/modestwear?sslmode=require",
    "DJANGO_ALLOWED_HOSTS": "backoffice.modestwear.example",
}
SHOW = (
    "import json, django; from django.conf import settings as s; django.setup(); "
    "print(json.dumps({'db': s.DATABASES['default'], 'debug': s.DEBUG, "
    "'storage': s.STORAGES['default']['BACKEND'], 'cache': s.CACHES['default']['BACKEND'], "
    "'hosts': s.ALLOWED_HOSTS, 'admin': s.ADMIN_URL_PATH}, default=str))"
)


def load_settings(**env):
    """Import the real settings in a fresh interpreter with exactly ``env`` set."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    clean.pop("CLOUDINARY_URL", None)
    clean.pop("REDIS_URL", None)
    clean.pop("EMAIL_URL", None)
    clean["DJANGO_SETTINGS_MODULE"] = "backoffice.settings.base"
    result = subprocess.run(
        [sys.executable, "-c", SHOW],
        env={**clean, **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DATABASE_URL"])
def test_production_refuses_to_start_without(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = load_settings(**env)
    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


def test_production_reads_the_environment():
    result = load_settings(**PRODUCTION)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["debug"] is False
    assert shown["hosts"] == ["backoffice.modestwear.example"]
    db = shown["db"]
    assert (db["HOST"], db["NAME"], db["USER"]) == ("db.example.neon.tech", "modestwear", "shop")
    assert db["OPTIONS"]["sslmode"] == "require"
    assert (db["CONN_MAX_AGE"], db["CONN_HEALTH_CHECKS"]) == (600, True)
    assert shown["storage"] == "django.core.files.storage.FileSystemStorage"
    assert shown["cache"].endswith("LocMemCache")


def test_optional_services_switch_on_from_the_environment():
    result = load_settings(
        **PRODUCTION,
        CLOUDINARY_URL="cloudinary://key:secret@demo-cloud",
        REDIS_URL="redis://127.0.0.1:6379/1",
    )
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["storage"] == "cloudinary_storage.storage.MediaCloudinaryStorage"
    assert shown["cache"] == "django.core.cache.backends.redis.RedisCache"


def test_the_example_environment_lists_every_variable_the_settings_read():
    example = (settings.BASE_DIR / ".env.example").read_text()
    source = (settings.BASE_DIR / "backoffice" / "settings" / "base.py").read_text()
    read = set(re.findall(r'(?:environ\.get|env_bool|env_list|env_int)\(\s*"([A-Z_]+)"', source))
    listed = set(re.findall(r"^#?\s*([A-Z_]+)=", example, flags=re.MULTILINE))
    assert read, "no variables found in the settings"
    assert read <= listed, f"missing from .env.example: {sorted(read - listed)}"


def test_the_admin_path_comes_from_the_environment():
    result = load_settings(**PRODUCTION, DJANGO_ADMIN_PATH="/backstage-7f3/")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["admin"] == "backstage-7f3/"


def test_our_words_replace_the_librarys_and_the_compiled_catalog_matches_its_source():
    import gettext

    from django.utils import translation

    folder = settings.LOCALE_PATHS[0] / "en_GB" / "LC_MESSAGES"
    source = (folder / "django.po").read_text(encoding="utf-8")
    pairs = re.findall(r'^msgid "(.+)"\nmsgstr "(.*)"$', source, re.M)
    assert pairs
    with open(folder / "django.mo", "rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)
    for msgid, msgstr in pairs:
        assert catalog.gettext(msgid) == msgstr, f"django.mo is older than django.po: {msgid}"
        with translation.override("en-gb"):
            assert translation.gettext(msgid) == msgstr


@pytest.mark.django_db
def test_an_empty_list_says_so_plainly(client_as):
    from django.urls import reverse

    html = client_as("support").get(reverse("admin:orders_order_changelist"), {"q": "#999999"})
    text = " ".join(html.content.decode().split())
    assert "Nothing matches this search or these filters." in text
    assert "yielded" not in text
