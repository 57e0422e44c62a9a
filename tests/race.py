"""Start calls at the same moment, each on its own PostgreSQL connection (one thread each)."""

import threading

from django.db import connection


def race(*calls, refusals: tuple[type[Exception], ...] = (ValueError,)):
    """Results in call order: ("ok", value), ("refused", message) for an exception in
    ``refusals`` (the rules saying no), or ("error", repr) for anything else (a bug)."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = ("ok", call())
        except refusals as error:
            outcomes[index] = ("refused", str(error))
        except Exception as error:  # anything else is a bug the test must show
            outcomes[index] = ("error", repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes
