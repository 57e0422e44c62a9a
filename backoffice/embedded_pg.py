"""A real PostgreSQL server living in the project's virtualenv, for development and tests.

When ``DATABASE_URL`` is unset, settings call :func:`database_settings`, which starts (or reuses)
a PostgreSQL 16 server from the ``pgserver`` wheel with its data in ``.pgdata/`` at the repository
root. The server listens on a Unix socket only and keeps running between commands, like any local
database server; stop it with ``python -m backoffice.embedded_pg stop``.
"""

import os
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PGDATA = Path(os.environ.get("EMBEDDED_PGDATA", ROOT / ".pgdata"))
DATABASE_NAME = "modestwear"


# platformdirs (used by pgserver) warns when XDG_RUNTIME_DIR is unset, as in containers and CI;
# its fallback directory is fine.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")


def _server():
    import pgserver

    return pgserver.get_server(PGDATA, cleanup_mode=None)


def _socket_dir(server) -> str:
    return server.get_postmaster_info().socket_dir.as_posix()


def _ensure_database(host: str) -> None:
    import psycopg

    with psycopg.connect(host=host, user="postgres", dbname="postgres", autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')


def database_settings() -> dict:
    """Start the embedded server if needed and return Django ``DATABASES['default']`` values."""
    host = _socket_dir(_server())
    _ensure_database(host)
    return {"NAME": DATABASE_NAME, "USER": "postgres", "HOST": host, "PORT": ""}


def stop() -> None:
    from pgserver._commands import pg_ctl

    if not (PGDATA / "postmaster.pid").exists():
        print("embedded PostgreSQL is not running")
        return
    server = _server()
    pg_ctl(["-w", "stop"], pgdata=PGDATA, user=server.system_user)
    print("embedded PostgreSQL stopped")


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "status"
    if command == "stop":
        stop()
    elif command == "start":
        print(database_settings())
    else:
        sys.exit("usage: python -m backoffice.embedded_pg [start|stop]")
