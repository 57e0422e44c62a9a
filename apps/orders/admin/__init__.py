"""Support's order desk, carts and wishlists."""

from . import carts, orders  # noqa: F401  (registers the admins)
