"""Production settings for the admin benchmark (bench/admin.py): ``backoffice.settings.base``
as Render runs it (debug off, whitenoise's manifest, Redis, HTTPS behind a proxy), on the
benchmark's database. The environment comes from bench/admin.py's servers."""

from backoffice.settings.base import *  # noqa: F403
from backoffice.settings.base import MIDDLEWARE  # noqa: E402

# Outermost: the worker's time for the whole request (bench/timing.py).
MIDDLEWARE = ["bench.timing.ServerTimingMiddleware", *MIDDLEWARE]
