"""Start calls at the same moment, each on its own PostgreSQL connection (one thread each)."""

import threading
from contextlib import contextmanager

from django.db import connection, transaction


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


def meanwhile(call):
    """Run ``call`` on its own connection and wait: what a colleague's request commits while
    this one is between its check and its write (the caller is inside that window)."""
    failures = []

    def run():
        try:
            call()
        except Exception as error:  # shown by the assertion below, not lost in the thread
            failures.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    assert not failures, failures


@contextmanager
def held(hold, *, roll_back: bool = False):
    """While the block runs, a colleague's transaction on its own connection has done
    ``hold()`` (taken a row's lock, claimed a key) and waits; it commits — or with
    ``roll_back``, gives up — when the block ends."""
    holding, release = threading.Event(), threading.Event()
    failures = []

    def run():
        try:
            with transaction.atomic():
                hold()
                holding.set()
                release.wait(timeout=60)
                if roll_back:
                    transaction.set_rollback(True)
        except Exception as error:  # shown by the assertion below, not lost in the thread
            failures.append(error)
        finally:
            holding.set()
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    try:
        assert holding.wait(timeout=60)
        assert not failures, failures
        yield
    finally:
        release.set()
        thread.join(timeout=60)
