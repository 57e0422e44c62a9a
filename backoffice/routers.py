"""Database routing: the storefront feed reads from the ``feed`` alias.

``feed`` is the read replica when ``DATABASE_REPLICA_URL`` is set, else the primary; either
way its connections carry a statement timeout, so a slow feed query cannot hold a worker.
Writes, the admin and everything else use ``default`` (the primary).
"""

from contextlib import contextmanager
from contextvars import ContextVar

_feed_reads: ContextVar[bool] = ContextVar("feed_reads", default=False)


@contextmanager
def feed_reads():
    token = _feed_reads.set(True)
    try:
        yield
    finally:
        _feed_reads.reset(token)


class FeedReplicaRouter:
    def db_for_read(self, model, **hints):
        return "feed" if _feed_reads.get() else None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # both aliases hold the same database

    def allow_migrate(self, db, app_label, **hints):
        return db == "default"
