"""Settings for servers started by the benchmarks: the test settings, the benchmark database,
and a URL configuration with a minimal JSON view to compare against."""

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
        }
    }
