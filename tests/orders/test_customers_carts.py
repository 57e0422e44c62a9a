from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.orders.models import CartItem
from apps.users.models import User
from tests.factories import (
    CartItemFactory,
    OrderFactory,
    UserFactory,
    VariantFactory,
    WishlistFactory,
)

pytestmark = pytest.mark.django_db
USERS = reverse("admin:users_user_changelist")


def emails(client, **params):
    response = client.get(USERS, params)
    assert response.status_code == 200
    return {user.email for user in response.context["cl"].result_list}


def test_customers_are_found_by_email_name_and_phone_with_order_figures(client_as):
    client = client_as("support")
    amina = UserFactory(email="amina@example.com", first_name="Amina", phone_number="07700900123")
    UserFactory(email="zainab@example.com", first_name="Zainab")
    OrderFactory(user=amina, status="delivered", total_price=Decimal("40.00"))
    OrderFactory(user=amina, status="paid", total_price=Decimal("60.00"))
    OrderFactory(user=amina, status="cancelled", total_price=Decimal("99.00"))
    assert emails(client, q="amina@") == {"amina@example.com"}
    assert emails(client, q="Zainab") == {"zainab@example.com"}
    assert emails(client, q="0770090") == {"amina@example.com"}
    row = next(u for u in client.get(USERS).context["cl"].result_list if u.pk == amina.pk)
    assert (row.order_total, row.spent_total) == (3, Decimal("100.00"))


def test_a_customer_with_orders_is_not_deleted_and_deactivation_is_offered(client_as):
    client = client_as("superuser")
    customer = OrderFactory().user
    response = client.get(reverse("admin:users_user_delete", args=[customer.pk]), follow=True)
    assert "cannot be deleted" in response.content.decode()
    assert "deactivate it instead" in response.content.decode()
    assert User.objects.filter(pk=customer.pk).exists()
    client.post(USERS, {"action": "deactivate", "_selected_action": [customer.pk]})
    customer.refresh_from_db()
    assert not customer.is_active


def test_a_customer_without_orders_can_be_deleted_by_a_superuser(client_as):
    client = client_as("superuser")
    customer = UserFactory()
    client.post(reverse("admin:users_user_delete", args=[customer.pk]), {"post": "yes"})
    assert not User.objects.filter(pk=customer.pk).exists()


def test_support_manages_customers_but_never_staff_accounts(client_as):
    client = client_as("support")
    customer = UserFactory(email="c@example.com")
    staff = UserFactory(email="s@modestwear.example", is_staff=True)
    assert "s@modestwear.example" not in emails(client)
    refused = client.get(reverse("admin:users_user_change", args=[staff.pk]))
    assert refused.status_code == 403
    assert "Staff accounts are managed by superusers" in refused.content.decode()
    html = client.get(reverse("admin:users_user_change", args=[customer.pk])).content.decode()
    assert 'name="is_staff"' not in html and 'name="groups"' not in html
    assert client.get(reverse("admin:users_user_add")).status_code == 403
    password_url = reverse("admin:auth_user_password_change", args=[customer.pk])
    assert client.get(password_url).status_code == 403
    client.post(
        reverse("admin:users_user_change", args=[customer.pk]),
        {"email": "c@example.com", "is_active": "on", "is_verified": "on", "is_staff": "on"},
    )
    customer.refresh_from_db()
    assert customer.is_verified and not customer.is_staff


def test_carts_show_owner_age_and_guests(client_as):
    client = client_as("support")
    old = CartItemFactory(user=UserFactory(email="old@example.com"))
    CartItem.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=10))
    guest = CartItem.objects.create(session_key="guest-session-xyz", variant=VariantFactory())
    url = reverse("admin:orders_cartitem_changelist")
    rows = client.get(url, {"older_than": "7d"}).context["cl"].result_list
    assert [item.pk for item in rows] == [old.pk]
    rows = client.get(url, {"owner": "guest"}).context["cl"].result_list
    assert [item.pk for item in rows] == [guest.pk]
    html = client.get(url).content.decode()
    assert "old@example.com" in html and "Guest guest-sessio" in html and "ago" in html
    assert client.post(reverse("admin:orders_cartitem_delete", args=[old.pk])).status_code == 403


def test_most_wishlisted_variants_with_their_stock(client_as):
    client = client_as("merchandising")
    quiet = VariantFactory()  # first in the catalog's own order (product, size, colour)
    popular = VariantFactory(stock_available=2)
    WishlistFactory.create_batch(3, variant=popular)
    WishlistFactory(variant=quiet)
    VariantFactory()  # never wishlisted: not listed
    response = client.get(reverse("admin:orders_mostwishlisted_changelist"))
    rows = [(v.pk, v.wish_total, v.stock_available) for v in response.context["cl"].result_list]
    assert rows == [(popular.pk, 3, 2), (quiet.pk, 1, 10)]
