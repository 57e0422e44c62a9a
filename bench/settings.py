"""Settings for servers started by the benchmarks: the test settings, the benchmark database,
and a URL configuration with a minimal JSON view and a DRF feed (drf_feed.py) to compare against."""

import os

from backoffice.settings.test import *  # noqa: F403
from backoffice.settings.test import DATABASES

# Both aliases: the feed reads through "feed" (backoffice/routers.py).
for _alias in ("default", "feed"):
    DATABASES[_alias]["NAME"] = os.environ.get("BENCH_DATABASE_NAME", "modestwear_bench")
ROOT_URLCONF = "bench.urls"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
if os.environ.get("BENCH_REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["BENCH_REDIS_URL"],
            # Per server (bench/feed.py): nothing cached by an earlier run is ever served.
            "KEY_PREFIX": os.environ.get("BENCH_CACHE_PREFIX", ""),
        }
    }
# The DRF comparison (bench/drf_feed.py); the project itself does not use DRF.
INSTALLED_APPS = [*INSTALLED_APPS, "rest_framework"]  # noqa: F405
