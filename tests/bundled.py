"""The real public data bundled in ``fixtures/``, put in the test database quickly.

The real importers load it once per test process (``load_bundled_data``, about ten seconds, most of
it reading the ONS coding index); every later load copies those rows back in bulk, in well under a
second (the values the importers wrote, except ``auto_now`` times, which are the copy's). The same
goes for the other states that many tests start from (:func:`import_digital`).
"""

import fcntl
import pickle
import sys
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

BUNDLED = settings.BASE_DIR / "fixtures"
MAPS = BUNDLED / "occupational-maps"
SOC = BUNDLED / "soc"
#: What ``load_bundled_data`` gives ``import_maps``: the index, the Digital route, the samples.
MAP_SOURCES = [MAPS / "index.json", MAPS / "digital", MAPS / "samples"]

#: The apps whose tables hold the map data: the project's own, which INSTALLED_APPS lists from
#: ``core`` on (not Django's: users, sessions, permissions).
DATA_APPS = set(settings.INSTALLED_APPS[settings.INSTALLED_APPS.index("core") :])


def project_models() -> list[type]:
    """The models of the map data, with their many-to-many tables."""
    return [
        model
        for config in apps.get_app_configs()
        if config.name in DATA_APPS
        for model in config.get_models(include_auto_created=True)
        if not model._meta.proxy
    ]


def _tables() -> list[tuple[type, str, list[str]]]:
    return [
        (model, model._meta.db_table, [field.column for field in model._meta.concrete_fields])
        for model in project_models()
    ]


def _select(table: str, columns: list[str]) -> str:
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    return f"SELECT {quoted} FROM {connection.ops.quote_name(table)}"  # noqa: S608


#: A state of the map data: for each table, its model's label, its columns and its rows.
State = list[tuple[str, list[str], object]]


def _read() -> State:
    """Every row of the map data as the database holds it: PostgreSQL's COPY text, or SQLite's
    stored values (JSON as text, dates as ISO text), so that nothing is converted twice."""
    rows_by_table = []
    with connection.cursor() as cursor:
        for model, table, columns in _tables():
            if connection.vendor == "postgresql":
                with cursor.copy(f"COPY ({_select(table, columns)}) TO STDOUT") as copy:
                    rows = b"".join(bytes(block) for block in copy)
            else:
                cursor.execute(_select(table, columns))
                rows = cursor.fetchall()
            rows_by_table.append((model._meta.label, columns, rows))
    return rows_by_table


def write_rows(cursor, state: State, placeholder: str = "%s") -> None:
    """Make the map data exactly ``state``, through ``cursor``: Django's, or a psycopg or
    sqlite3 cursor on another database of the same engine (``placeholder`` is then ``?``).
    Every table is emptied first, in one statement each (the foreign keys are deferred, or not
    enforced, so the order does not matter within the transaction)."""
    models = [apps.get_model(label) for label, _, _ in state]
    quote = connection.ops.quote_name
    for model in reversed(models):
        cursor.execute(f"DELETE FROM {quote(model._meta.db_table)}")  # noqa: S608
    for model, (_, columns, rows) in zip(models, state, strict=True):
        if not rows:
            continue
        table = quote(model._meta.db_table)
        names = ", ".join(quote(column) for column in columns)
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                copy.write(rows)
        else:
            marks = ", ".join([placeholder] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608
    for statement in connection.ops.sequence_reset_sql(no_style(), models):
        cursor.execute(statement)


def _write(state: State) -> None:
    """Make the map data exactly ``state``, in the caller's transaction."""
    with transaction.atomic(), connection.cursor() as cursor:
        write_rows(cursor, state)
        # Check the deferred foreign keys now, once. Left queued, PostgreSQL would check them
        # again at the end of every test run in a savepoint of this transaction (Django's
        # TestCase checks constraints before rolling a test back), a quarter of a second each.
        connection.check_constraints()


#: The map data as the migrations leave it (the first data version), read once the test database
#: is made (``django_db_setup`` in tests/conftest.py).
_migrated: State | None = None
#: What each recipe leaves in a migrated database, by name, for this process.
_prepared: dict[str, State] = {}
#: A folder that every process of the test session shares (tests/conftest.py sets it): a state
#: that one process has built is kept there for the others.
shared_folder: Path | None = None


def remember_migrated_state() -> None:
    global _migrated
    _migrated = _read()


def prepare(name: str) -> None:
    """Put into the test database, in the caller's transaction, what the recipe ``name`` (real
    commands: the importers) leaves in a database fresh from its migrations, and nothing else.

    The first call in the session runs the recipe and keeps the rows it wrote (its transaction
    is then rolled back); every later call copies those rows back in, in a fraction of the time.
    """
    _write(prepared_rows(name))


def _build(build: Callable[[], object]) -> State:
    with transaction.atomic():
        _write(_migrated)  # whatever the first caller's test held is no part of it
        build()
        state = _read()
        transaction.set_rollback(True)  # leave the database as it was
    return state


def once_a_session(name: str, make: Callable[[], object]):
    """What ``make`` returns, made by the first process of the test session to ask for it and
    read back by the others (the test processes run side by side, each with its own database)."""
    if shared_folder is None:
        return make()
    with open(shared_folder / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the others wait while one makes it
        kept = shared_folder / f"{name}.pickle"
        if kept.exists():
            return pickle.loads(kept.read_bytes())  # noqa: S301 (written by this session)
        value = make()
        kept.write_bytes(pickle.dumps(value))
        return value


def _load_bundled_data() -> None:
    call_command("load_bundled_data", stdout=StringIO(), stderr=StringIO())


def _import_digital() -> None:
    call_command("import_maps", str(MAPS / "index.json"), str(MAPS / "digital"), stdout=StringIO())


def _import_maps() -> None:
    call_command("import_maps", *map(str, MAP_SOURCES), stdout=StringIO())


#: The states tests start from, by name: what makes each in a migrated database.
RECIPES: dict[str, Callable[[], object]] = {
    "bundled": _load_bundled_data,
    "digital": _import_digital,
    # The maps of the bundled data (the index, Digital, the samples), without the SOC files.
    "maps": _import_maps,
}


def prepared_rows(name: str) -> State:
    """The rows of the state ``name``, built now if no process of the session has built it
    yet (in a transaction rolled back at once)."""
    if name not in _prepared:
        build = RECIPES[name]
        _prepared[name] = once_a_session(f"{connection.vendor}-{name}", lambda: _build(build))
    return _prepared[name]


def load_bundled() -> None:
    """Put the bundled real data, and nothing else, into the test database, as ``make run``
    loads it (``load_bundled_data``: the maps, the SOC structures, the coding index)."""
    prepare("bundled")


def import_digital() -> None:
    """The complete Digital route as ``import_maps`` leaves it, from the routes index and the
    route's 64 occupation files (no samples, no SOC structures)."""
    prepare("digital")


def module_state(load: Callable[[], object]):
    """A module-scoped fixture for a module whose tests all start from one state: ``load`` (say
    :func:`load_bundled`) runs once, in a transaction open for the whole module; each test runs
    in a savepoint inside it, rolled back after the test as usual. The fixture's value is what
    ``load`` returns. (A module with such a fixture can have no test that commits.)"""

    @pytest.fixture(scope="module")
    def state(django_db_setup, django_db_blocker):
        outer = transaction.atomic()
        with django_db_blocker.unblock():
            outer.__enter__()
            try:
                value = load()
            except BaseException:
                transaction.set_rollback(True)
                outer.__exit__(*sys.exc_info())
                raise
        yield value
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)

    return state
