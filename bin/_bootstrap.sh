# Sourced by bin/run and bin/test: a virtualenv with exactly the pinned requirements.
# Needs only Python 3.11; re-installs when requirements.txt changes.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    echo "ModestWear needs Python 3.11; found $("$PYTHON" --version 2>&1) at $PYTHON." >&2
    echo "Set PYTHON=/path/to/python3.11 and try again." >&2
    exit 1
fi
if [ ! -x .venv/bin/python ]; then
    echo "==> Creating the virtualenv in .venv"
    "$PYTHON" -m venv .venv
fi
STAMP=.venv/.requirements-installed
WANTED="$(sha256sum requirements.txt | cut -d' ' -f1)"
if [ "$(cat "$STAMP" 2>/dev/null)" != "$WANTED" ]; then
    echo "==> Installing the pinned requirements"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
    echo "$WANTED" > "$STAMP"
fi
export PATH="$ROOT/.venv/bin:$PATH"
