"""Production hardening: deploy checks, the sign-in lockout behind the proxy, the Blueprint."""

import os
import subprocess
import sys

import pytest
import yaml
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from backoffice.security import client_ip

PRODUCTION = {
    "DJANGO_SECRET_KEY": "p" * 60 + "x7!Qz",
    "DATABASE_URL": "postgres://shop:pw@db.example.neon.tech:5432/modestwear?sslmode=require",
    "DJANGO_ALLOWED_HOSTS": "backoffice.modestwear.example",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://backoffice.modestwear.example",
    "CLOUDINARY_URL": "cloudinary://key:secret@demo-cloud",
    "REDIS_URL": "redis://red-example:6379",
    "EMAIL_URL": "smtp+tls://apikey:secret@smtp.example.com:587",
}


def deploy_check(**env_changes):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(PRODUCTION, DJANGO_SETTINGS_MODULE="backoffice.settings.base")
    for key, value in env_changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_in_production_mode():
    result = deploy_check()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("missing", "check"),
    [
        ("CLOUDINARY_URL", "backoffice.W001"),
        ("REDIS_URL", "backoffice.W002"),
        ("EMAIL_URL", "backoffice.W003"),
    ],
)
def test_check_deploy_warns_about_state_kept_on_one_instance(missing, check):
    result = deploy_check(**{missing: None})
    assert result.returncode != 0
    assert check in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("forwarded", "remote", "hops", "expected"),
    [
        ("", "10.0.0.5", 1, "10.0.0.5"),
        ("198.51.100.7", "10.0.0.5", 1, "198.51.100.7"),
        # A client cannot choose its address by sending its own X-Forwarded-For.
        ("6.6.6.6, 198.51.100.7", "10.0.0.5", 1, "198.51.100.7"),
        ("198.51.100.7", "10.0.0.5", 0, "10.0.0.5"),
    ],
)
def test_the_client_address_behind_the_proxy(rf, forwarded, remote, hops, expected):
    request = rf.get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=remote)
    with override_settings(TRUSTED_PROXY_COUNT=hops):
        assert client_ip(request) == expected


@pytest.mark.django_db
def test_repeated_failed_sign_ins_lock_the_address_out(client, admin_user):
    url = reverse("admin:login")
    headers = {"HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    with override_settings(TRUSTED_PROXY_COUNT=1):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            client.post(url, {"username": admin_user.email, "password": "wrong"}, **headers)
        locked = client.post(url, {"username": admin_user.email, "password": "password"}, **headers)
        assert locked.status_code == 429
        assert "Too many failed sign-ins" in locked.content.decode()
        # Another address is not locked out.
        other = client.post(
            url,
            {"username": admin_user.email, "password": "password"},
            HTTP_X_FORWARDED_FOR="203.0.113.20",
        )
        assert other.status_code == 302


def test_password_validators_are_on():
    names = {v["NAME"].rsplit(".", 1)[-1] for v in settings.AUTH_PASSWORD_VALIDATORS}
    assert {"MinimumLengthValidator", "CommonPasswordValidator"} <= names


# The Render Blueprint -----------------------------------------------------------------

BLUEPRINT = yaml.safe_load((settings.BASE_DIR / "render.yaml").read_text())
SERVICE_FIELDS = {
    "type",
    "name",
    "runtime",
    "plan",
    "region",
    "buildCommand",
    "startCommand",
    "preDeployCommand",
    "healthCheckPath",
    "envVars",
    "autoDeploy",
    "numInstances",
    "scaling",
    "branch",
    "rootDir",
    "maxmemoryPolicy",
    "ipAllowList",
}
ENV_VAR_FIELDS = {
    "key",
    "value",
    "generateValue",
    "sync",
    "fromDatabase",
    "fromService",
    "fromGroup",
}


def test_the_blueprint_uses_only_documented_fields():
    assert set(BLUEPRINT) <= {"services", "databases", "envVarGroups", "previews", "projects"}
    for service in BLUEPRINT["services"]:
        assert set(service) <= SERVICE_FIELDS, set(service) - SERVICE_FIELDS
        for var in service.get("envVars", []):
            assert set(var) <= ENV_VAR_FIELDS and "key" in var
            assert (
                len({"value", "generateValue", "sync", "fromDatabase", "fromService"} & set(var))
                == 1
            ), var


def test_the_web_service_is_production_ready():
    web = next(s for s in BLUEPRINT["services"] if s["type"] == "web")
    assert web["runtime"] == "python"
    assert "-r requirements.txt" in web["buildCommand"]
    assert "collectstatic --no-input" in web["buildCommand"]
    assert "migrate --no-input" in web["startCommand"]
    assert "gunicorn backoffice.wsgi:application --config gunicorn.conf.py" in web["startCommand"]
    assert "--bind 0.0.0.0:$PORT" in web["startCommand"]
    assert web["healthCheckPath"] == "/healthz"
    env = {var["key"]: var for var in web["envVars"]}
    assert env["DJANGO_SECRET_KEY"] == {"key": "DJANGO_SECRET_KEY", "generateValue": True}
    assert env["DJANGO_DEBUG"]["value"] == "0"
    for secret in (
        "CLOUDINARY_URL",
        "REDIS_URL",
        "DJANGO_ALLOWED_HOSTS",
        "DJANGO_CSRF_TRUSTED_ORIGINS",
        "STOREFRONT_ORIGINS",
    ):
        assert secret in env, secret
    assert env["CLOUDINARY_URL"]["sync"] is False


def test_the_cache_is_an_allkeys_lru_key_value_store():
    cache = next(s for s in BLUEPRINT["services"] if s["type"] == "keyvalue")
    assert cache["maxmemoryPolicy"] == "allkeys-lru"
    assert cache["ipAllowList"] == []


def test_logs_are_json_without_personal_data(rf):
    import json
    import logging

    from backoffice.logs import JsonFormatter

    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "Not Found for amina.rahman@example.com, call +44 7700 900123",
        None,
        None,
    )
    record.request = rf.get("/admin/users/user/?q=amina.rahman@example.com")
    record.status_code = 404
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "Not Found for [email], call [phone]"
    assert entry["path"] == "/admin/users/user/" and entry["status"] == 404
    assert "amina" not in json.dumps(entry)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("call +44 7700 900123 today", "call [phone] today"),
        ("call 07700 900123", "call [phone]"),
        ("call (020) 7946-0018", "call [phone]"),
        ("+1 415-555-0132", "[phone]"),
        ("order placed (2026-11-27 09:14)", "order placed (2026-11-27 09:14)"),
        ("due 27/11/2026 10:42:07", "due 27/11/2026 10:42:07"),
        ("took 1234.56 ms", "took 1234.56 ms"),
        ("order #1234567", "order #1234567"),
    ],
)
def test_the_mask_hides_phone_numbers_not_times(text, expected):
    from backoffice.logs import redact

    assert redact(text) == expected


def test_gunicorn_access_logs_carry_no_query_string_or_address():
    import json

    from backoffice.logs import access_line

    namespace = {}
    exec((settings.BASE_DIR / "gunicorn.conf.py").read_text(), namespace)
    assert namespace["logger_class"] == "backoffice.logs.JsonAccessLogger"
    atoms = {
        "m": "GET",
        "U": '/x\n{"forged": 1}\\"',
        "q": "email=a@b.example",
        "h": "1.2.3.4",
        "s": "404",
        "B": "10",
        "M": "3",
    }
    line = access_line(atoms)
    assert "\n" not in line and json.loads(line)["path"] == atoms["U"]
    assert "a@b.example" not in line and "1.2.3.4" not in line
    assert namespace["workers"] == 2  # two workers of at most 150 MB fit the 512 MB plan
