"""The catalog back office: merchandising's categories and products, the warehouse's stock."""

from . import categories, coverage, health, products, stock  # noqa: F401  (registers the admins)
