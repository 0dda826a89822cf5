import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from whitenoise.base import WhiteNoise

from tests import bundled as bundled_module
from tests import served
from tests.bundled import BUNDLED, load_bundled

REPO = Path(__file__).resolve().parent.parent
_update_files_dictionary = WhiteNoise.update_files_dictionary

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


def pytest_configure(config):
    """Coverage measures the test processes; ``make test`` starts them with its settings in the
    environment (``patch = ["subprocess"]``), which every process they start would inherit. The
    site's own processes that tests start (gunicorn, commands) are left unmeasured: tracing
    them doubles their cost. The controller of a parallel run keeps the settings for its
    workers."""
    if hasattr(config, "workerinput") or not getattr(config.option, "numprocesses", None):
        os.environ.pop("COVERAGE_PROCESS_CONFIG", None)


def pytest_collection_modifyitems(items):
    """The whole-system tests (``tests/system/``: browser, faults, security, caching, property
    based) are ``slow``: ``pytest -m "not slow"`` leaves them out of a quick run."""
    system = Path(__file__).parent / "system"
    for item in items:
        if system in Path(item.fspath).parents:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, tmp_path_factory):
    """The test database, made and migrated, and what its migrations wrote remembered: the
    states tests start from (tests/bundled.py) are built on it, and the databases of the site's
    own processes are copies of it (tests/served.py)."""
    with django_db_blocker.unblock():
        bundled_module.remember_migrated_state()
        served.keep_migrated_database(tmp_path_factory.mktemp("migrated"))
    yield
    with django_db_blocker.unblock():
        served.drop_migrated_database()


@pytest.fixture(scope="session")
def bundled_data() -> Path:
    """The real public data bundled in ``fixtures/``: ``occupational-maps/`` and ``soc/``."""
    return BUNDLED


@pytest.fixture
def bundled(db):
    """The bundled real data in the test database (copied in, rolled back after the test)."""
    load_bundled()


@pytest.fixture(scope="session")
def shared_folder(tmp_path_factory, worker_id) -> Path:
    """A folder of this test session that its processes (``make test`` runs two) share: what
    one of them makes once for all is kept there (tests/bundled.py)."""
    root = tmp_path_factory.getbasetemp()
    folder = root if worker_id == "master" else root.parent
    bundled_module.shared_folder = folder
    yield folder
    bundled_module.shared_folder = None


@pytest.fixture(scope="session", autouse=True)
def collected_static(shared_folder):
    """Pages are tested with the production static pipeline: hashed, compressed, collected (by
    the first process of the session, for all)."""
    root = shared_folder / "staticfiles"
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
        # Staff users are made in many tests; the password hasher is not on trial.
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    override.enable()
    bundled_module.once_a_session(
        "staticfiles", lambda: call_command("collectstatic", interactive=False, verbosity=0)
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(WhiteNoise, "update_files_dictionary", _scanned_once)
        yield root
    override.disable()


#: WhiteNoise's table of the collected files, by folder, URL prefix and the options that shape it
#: (the project sets no headers function, mimetypes or immutable-file test of its own).
_static_tables: dict[tuple, dict] = {}


def _scanned_once(self, root, prefix):
    """WhiteNoise reads the whole static folder whenever its middleware is made: once a worker
    in production, but once a test (each test client builds its middleware afresh), a fifth of
    a second each. The collected files do not change during the session, so each table is
    read once and shared."""
    key = (root, prefix, self.max_age, self.allow_all_origins, self.charset, self.index_file)
    if key not in _static_tables:
        before = dict(self.files)
        _update_files_dictionary(self, root, prefix)
        _static_tables[key] = {
            url: entry for url, entry in self.files.items() if before.get(url) is not entry
        }
    self.files.update(_static_tables[key])


@pytest.fixture(autouse=True)
def not_a_web_process():
    """A test that loads ``occmaps.wsgi`` (to hand the WSGI app to schemathesis) makes this a
    web process: every later connection would get the web's statement timeout and bounded
    waits, down to dropping the test database at the end. That lasts for the test only."""
    from occmaps.postgresql import base

    yield
    base.web_limits = None


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
