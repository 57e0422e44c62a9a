"""Run every benchmark: ``.venv/bin/python -m bench [--scale 0.1] [name ...]``.

Benchmarks use their own database (``modestwear_bench`` on the same server as the suite),
create it on first use, and print ratios measured side by side in one run: absolute times on
a shared machine are noise, ratios are not.
"""

import argparse
import os
import sys

BENCHMARKS = [
    "search",
    "changelists",
    "orders",
    "imports",
    "feed",
    "dashboard",
    "memory",
    "admin",
    "submissions",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="name", help=f"any of {BENCHMARKS}")
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full size")
    args = parser.parse_args()
    unknown = set(args.names) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark(s) {sorted(unknown)}; choose from {BENCHMARKS}")

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings.test")
    import django
    from django.conf import settings

    settings.DATABASES["default"]["TEST"] = {"NAME": "modestwear_bench"}
    django.setup()
    from django.db import connection

    connection.creation.create_test_db(verbosity=0, keepdb=True, serialize=False)
    from django.db import connections

    # The feed reads through its own alias (backoffice/routers.py): the same database here.
    connections["feed"].settings_dict["NAME"] = connection.settings_dict["NAME"]
    import importlib

    for name in args.names or BENCHMARKS:
        module = importlib.import_module(f"bench.{name}")
        defaults = module.run.__defaults__
        size = max(50, int(defaults[0] * args.scale))
        for line in module.run(size):
            print(line)
        sys.stdout.flush()


if __name__ == "__main__":
    main()
