import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "fixtures" / "sample"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real public data beside the repo (``OCCMAPS_SHARED_DATA``).

    A developer without it sees these tests skipped; in CI (``CI`` set) its absence is a failure.
    """
    path = Path(settings.OCCMAPS_SHARED_DATA)
    if not (path / "occupational-maps").is_dir():
        message = f"the real data is not at {path} (set OCCMAPS_SHARED_DATA)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return SAMPLE


@pytest.fixture(scope="session", autouse=True)
def collected_static(tmp_path_factory):
    """Pages are tested with the production static pipeline: hashed, compressed, collected."""
    root = tmp_path_factory.mktemp("staticfiles")
    # Production settings throughout, except that the test client speaks plain HTTP.
    override = override_settings(STATIC_ROOT=root, SECURE_SSL_REDIRECT=False)
    override.enable()
    call_command("collectstatic", interactive=False, verbosity=0)
    yield root
    override.disable()


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty page cache (pages are cached per data version)."""
    from django.core.cache import cache

    cache.clear()
