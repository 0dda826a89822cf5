import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from tests.bundled import BUNDLED, load_bundled

REPO = Path(__file__).resolve().parent.parent

#: Examples per property-based test (Hypothesis, schemathesis). The default keeps ``make test``
#: quick; ``OCCMAPS_EXAMPLES=200 make test`` searches harder.
EXAMPLES = int(os.environ.get("OCCMAPS_EXAMPLES", "12"))


def require(service: str, available: bool, how: str) -> None:
    """Skip a test whose service is missing, with one line naming it and how to get it.

    In CI (``CI`` set), where ``.ci/run`` starts every service, a missing one is a failure.
    """
    if available:
        return
    message = f"needs {service}: {how}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def pytest_collection_modifyitems(items):
    """The whole-system tests (``tests/system/``: browser, faults, security, caching, property
    based) are ``slow``: ``pytest -m "not slow"`` leaves them out of a quick run."""
    system = Path(__file__).parent / "system"
    for item in items:
        if system in Path(item.fspath).parents:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def bundled_data() -> Path:
    """The real public data bundled in ``fixtures/``: ``occupational-maps/`` and ``soc/``."""
    return BUNDLED


@pytest.fixture
def bundled(db):
    """The bundled real data in the test database (copied in, rolled back after the test)."""
    load_bundled()


@pytest.fixture(scope="session", autouse=True)
def collected_static(tmp_path_factory):
    """Pages are tested with the production static pipeline: hashed, compressed, collected."""
    root = tmp_path_factory.mktemp("staticfiles")
    # Production settings throughout, except that the test client speaks plain HTTP, and that
    # each test reads the data version once (and again after a bump in this process), not once
    # a second, so that query counts do not depend on the clock, and renders no pages in the
    # background. The one-second refresh and the warming are tested in
    # tests/system/test_caching.py.
    override = override_settings(
        STATIC_ROOT=root,
        SECURE_SSL_REDIRECT=False,
        DATA_VERSION_REFRESH_SECONDS=3600,
        PAGE_WARMING=False,
    )
    override.enable()
    call_command("collectstatic", interactive=False, verbosity=0)
    yield root
    override.disable()


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty page cache (pages are cached per data version), and
    reads the data version afresh (its database is not the last test's)."""
    from django.core.cache import cache

    from core import dataversion

    cache.clear()
    dataversion.forget()


@pytest.fixture(autouse=True)
def downloads_folder(tmp_path_factory):
    """Each test builds its own /downloads/ files: a test database's data version starts again
    with each test, and its files must not be another test's."""
    folder = tmp_path_factory.mktemp("downloads")
    with override_settings(DOWNLOADS_DIR=folder):
        yield folder
