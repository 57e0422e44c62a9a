"""Signing in and out of the back office, as staff and as strangers would try it."""

import re

import pytest
from axes.models import AccessFailureLog
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from apps.access.signin import account_locked
from backoffice.security import client_ip
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-staff-passphrase"


@pytest.fixture
def clerk():
    return UserFactory(email="clerk@modestwear.example", is_staff=True, password=PASSWORD)


def test_signing_in_at_the_login_page_itself_lands_on_the_dashboard(client, clerk):
    response = client.post(reverse("admin:login"), {"username": clerk.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_the_root_reveals_nothing_to_anonymous_visitors(client, settings):
    response = client.get("/")
    assert response.status_code == 404
    assert settings.ADMIN_URL_PATH.encode() not in response.content
    assert "Location" not in response


def test_the_root_takes_staff_to_the_admin(client, clerk):
    client.force_login(clerk)
    assert client.get("/")["Location"] == reverse("admin:index")


@pytest.mark.parametrize("hop", ["garbage", "203.0.113.010", "1.2.3.4.5", "", "::g"])
def test_a_malformed_forwarded_address_counts_as_the_socket_address(rf, hop):
    request = rf.get("/", HTTP_X_FORWARDED_FOR=f"6.6.6.6, {hop}", REMOTE_ADDR="10.0.0.5")
    with override_settings(TRUSTED_PROXY_COUNT=1):
        assert client_ip(request) == "10.0.0.5"


@pytest.mark.parametrize("hop", ["garbage", "203.0.113.010"])
def test_a_sign_in_with_a_malformed_forwarded_address_is_no_500(client, clerk, hop):
    with override_settings(TRUSTED_PROXY_COUNT=1):
        wrong = client.post(
            reverse("admin:login"),
            {"username": clerk.email, "password": "wrong"},
            HTTP_X_FORWARDED_FOR=hop,
        )
        right = client.post(
            reverse("admin:login"),
            {"username": clerk.email, "password": PASSWORD},
            HTTP_X_FORWARDED_FOR=hop,
        )
    assert wrong.status_code == 200 and right.status_code == 302


def fail_from(client, email, address):
    return client.post(
        reverse("admin:login"),
        {"username": email, "password": "guess"},
        HTTP_X_FORWARDED_FOR=address,
    )


@override_settings(TRUSTED_PROXY_COUNT=1, ACCOUNT_FAILURE_LIMIT=20, AXES_FAILURE_LIMIT=5)
def test_an_account_locks_after_failures_from_many_addresses(client, clerk, admin_user):
    # Four failures from each of five addresses: never five from one, so axes alone would
    # let the guessing go on.
    for n in range(20):
        fail_from(client, clerk.email, f"198.51.100.{n % 5 + 1}")
    assert account_locked(clerk.email)
    refused = client.post(
        reverse("admin:login"),
        {"username": clerk.email, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.77",
    )
    assert refused.status_code == 200  # the form again, with the reason
    assert "This account is locked: 20 failed sign-ins" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account is not affected.
    assert not account_locked(admin_user.email)

    # A superuser unlocks it from the lockouts list.
    client.force_login(admin_user)
    attempt = AccessFailureLog.objects.filter(username=clerk.email).first()
    assert attempt is not None
    changelist = reverse("admin:axes_accessattempt_changelist")
    from axes.models import AccessAttempt

    ids = list(AccessAttempt.objects.filter(username=clerk.email).values_list("pk", flat=True))
    response = client.post(
        changelist, {"action": "unlock_accounts", "_selected_action": ids}, follow=True
    )
    assert "Unlocked clerk@modestwear.example" in response.content.decode()
    assert not account_locked(clerk.email)
    client.logout()
    ok = client.post(
        reverse("admin:login"),
        {"username": clerk.email, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.77",
    )
    assert ok.status_code == 302


@override_settings(TRUSTED_PROXY_COUNT=1, ACCOUNT_FAILURE_LIMIT=20)
def test_failures_older_than_the_window_do_not_count(client, clerk):
    from datetime import timedelta

    from django.utils import timezone

    for n in range(20):
        fail_from(client, clerk.email, f"198.51.100.{n % 5 + 1}")
    AccessFailureLog.objects.update(attempt_time=timezone.now() - timedelta(minutes=61))
    assert not account_locked(clerk.email)


def test_the_sign_in_page_offers_a_password_reset(client):
    html = client.get(reverse("admin:login")).content.decode()
    assert reverse("admin_password_reset") in html


def test_staff_reset_a_forgotten_password_by_e_mail(client, clerk, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    page = client.get(reverse("admin_password_reset"))
    assert page.status_code == 200 and b"ModestWear back office" in page.content
    sent = client.post(reverse("admin_password_reset"), {"email": clerk.email})
    assert sent["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [clerk.email]
    link = re.search(r"https?://[^/\s]+(/\S+/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-new-passphrase-42", "new_password2": "a-new-passphrase-42"},
    )
    assert done["Location"] == reverse("password_reset_complete")
    clerk.refresh_from_db()
    assert clerk.check_password("a-new-passphrase-42")


def test_customers_get_no_reset_link_from_the_back_office(client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    customer = UserFactory(email="amina@example.com", password="her-own-passphrase")
    response = client.post(reverse("admin_password_reset"), {"email": customer.email})
    assert response.status_code == 302  # the same answer, so nobody learns who is staff
    assert mail.outbox == []
