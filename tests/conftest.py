import pytest
from django.core.management import call_command


@pytest.fixture
def demo_data(db):
    """The demo data set, loaded as ``bin/run`` loads it."""
    call_command("load_demo", "--allow-without-debug", verbosity=0, stdout=open("/dev/null", "w"))


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    # Uploaded and generated files go to a per-test folder, never the developer's media/.
    settings.MEDIA_ROOT = tmp_path / "media"
