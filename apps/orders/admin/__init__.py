"""Support's order desk, carts and wishlists."""

from . import carts, orders, outbox  # noqa: F401  (registers the admins)
