"""The field parsers every importer uses: text, whole numbers, dates, lists, HTML and JSON, and
the reading of a document through its pydantic model (:func:`validated`, which words the
model's errors as these parsers word theirs). Each takes the value, its place and the problem
list; a value of the wrong type is a problem, never turned into a string or a truth value."""

from __future__ import annotations

import html
import json
import re
from datetime import date, datetime

import nh3
from django.core.exceptions import FieldDoesNotExist
from pydantic import ValidationError

from core.problems import Problems

#: HTML the occupation summaries may keep; everything else is removed (its text stays).
SUMMARY_TAGS = {"p", "br", "ul", "ol", "li", "strong", "em", "b", "i"}
#: The source's placeholder for an unknown date.
UNKNOWN_DATE = "0001-01-01"


#: Characters no text field keeps: control characters (NUL included) and lone surrogates.
UNWANTED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def clean_text(value) -> str:
    """Unescape entities, turn no-break spaces into spaces, drop control characters, fold runs
    of white space, trim."""
    if value is None:
        return ""
    text = UNWANTED.sub("", html.unescape(str(value))).replace("\xa0", " ")
    return re.sub(r"\s+", " ", text).strip()


def clean_multiline(value) -> str:
    """Like :func:`clean_text` but keeps paragraph breaks."""
    if value is None:
        return ""
    text = UNWANTED.sub("", html.unescape(str(value))).replace("\xa0", " ").replace("\r\n", "\n")
    paragraphs = [re.sub(r"[ \t\f\v]+", " ", part).strip() for part in re.split(r"\n\s*\n", text)]
    return "\n\n".join(" ".join(p.split("\n")).strip() for p in paragraphs if p.strip())


def sanitise_html(value) -> str:
    """Keep a small allow-list of tags and no attributes; drop empty paragraphs."""
    if not value:
        return ""
    text = UNWANTED.sub("", str(value)).replace("&nbsp;", " ")
    cleaned = nh3.clean(text, tags=SUMMARY_TAGS, attributes={})
    cleaned = re.sub(r"<p>\s*</p>", "", cleaned)
    cleaned = re.sub(r"[ \t]+", " ", cleaned)
    return cleaned.strip()


def iso_date(value: str) -> date | None:
    """An ISO date, or the date of an ISO date and time (``2019-01-14T00:00:00Z``); the source's
    ``0001-01-01`` placeholder and empty text mean unknown (None). Anything else: ValueError."""
    text = value.strip()
    if text == "" or text.startswith(UNKNOWN_DATE):
        return None
    return datetime.fromisoformat(text).date()


def parse_date(value, where: str, problems: Problems, field_name: str) -> date | None:
    """An ISO date or date and time (:func:`iso_date`); missing or empty means unknown."""
    if value is None:
        return None
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        return iso_date(value)
    except ValueError:
        problems.add(where, f"{field_name}: {value!r}: not a date (YYYY-MM-DD)")
        return None


#: The largest id or sequence the database columns hold.
MAX_NUMBER = 2_147_483_647


def whole_number(
    value, where: str, name: str, problems: Problems, *, required=True, maximum=MAX_NUMBER
) -> int | None:
    if value is None or value == "":
        if required:
            problems.add(where, f"{name}: missing")
        return None
    if isinstance(value, bool | list | dict):
        problems.add(where, f"{name}: {shown(value)}: not a whole number")
        return None
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        problems.add(where, f"{name}: {shown(value)}: not a whole number")
        return None
    if number != value and str(number) != str(value).strip():
        problems.add(where, f"{name}: {shown(value)}: not a whole number")
        return None
    if not 0 <= number <= maximum:
        problems.add(where, f"{name}: {shown(value)}: must be between 0 and {maximum}")
        return None
    return number


def shown(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def list_field(
    container: dict, key: str, where: str, problems: Problems, *, optional: bool = False
) -> list | None:
    """``container[key]`` when it is a list; an empty list when the key is missing or null (None
    if ``optional``: "not given" apart from "none"), or holds "" or {}; an empty list with a
    problem when it holds anything else."""
    value = container.get(key)
    if value is None:
        return None if optional else []
    if value in ("", [], {}):
        return []
    if not isinstance(value, list):
        problems.add(where, f"{key}: expected a list, not {type(value).__name__}")
        return [] if not optional else None
    return value


def check_lengths(model, values: dict, where: str, problems: Problems, prefix: str = "") -> None:
    """Refuse text longer than its column (PostgreSQL would refuse it mid-write)."""
    for name, value in values.items():
        try:
            limit = model._meta.get_field(name).max_length
        except FieldDoesNotExist:  # an id or a reference, not a text column
            continue
        if limit and isinstance(value, str) and len(value) > limit:
            problems.add(where, f"{prefix}{name}: {len(value)} characters: at most {limit}")


#: What :func:`parse_json` returns when the text is not JSON (a document may well be ``null``).
UNREADABLE = object()


def _no_constants(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def parse_json(text: str, label: str, problems: Problems):
    """The JSON value in ``text``, or :data:`UNREADABLE` with a problem at its line. NaN and
    Infinity (which Python's json accepts) are refused, as is nesting too deep to read."""
    try:
        return json.loads(text, parse_constant=_no_constants)
    except json.JSONDecodeError as exc:
        problems.add(f"{label}:{exc.lineno}", f"not valid JSON: {exc.msg} (column {exc.colno})")
    except (ValueError, RecursionError) as exc:
        problems.add(label, f"not valid JSON: {exc}")
    return UNREADABLE


def json_from_bytes(raw: bytes, where: str, problems: Problems):
    """A JSON document from UTF-8 bytes (a BOM allowed, NaN refused), or None with a problem."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.add(where, f"not UTF-8 text: {exc.reason} at byte {exc.start}")
        return None
    document = parse_json(text, where, problems)
    return None if document is UNREADABLE else document


def validated(model, value, where: str, problems: Problems):
    """``model.model_validate(value)`` (a pydantic model), or None with each of its errors added
    to ``problems`` at ``where``, worded as the parsers above word them."""
    try:
        return model.model_validate(value)
    except ValidationError as error:
        for entry in error.errors(include_url=False):
            problems.add(where, describe_error(entry))
        return None


def error_place(loc) -> str:
    """``("soc", "groups", 0, "code")`` → ``soc.groups[0].code``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def describe_error(entry: dict) -> str:
    """One pydantic error (its place, input and type) in the words of the parsers above."""
    kind, value = entry["type"], entry.get("input")
    context = entry.get("ctx") or {}
    name = error_place(entry["loc"])
    if kind == "missing" or (value is None and kind.endswith("_type")):
        words = "missing"
    elif kind == "string_type":
        words = f"{shown(value)}: expected text, not {type(value).__name__}"
    elif kind == "bool_type":
        words = f"{shown(value)}: expected true or false"
    elif kind in ("int_type", "int_parsing", "int_from_float"):
        words = f"{shown(value)}: not a whole number"
    elif kind == "number_range":
        words = f"{shown(value)}: must be between {context['minimum']} and {context['maximum']}"
    elif kind in ("date_format", "date_type", "date_parsing", "date_from_datetime_parsing"):
        words = f"{shown(value)}: not a date (YYYY-MM-DD)"
    elif kind == "list_type":
        words = f"expected a list, not {type(value).__name__}"
    elif kind in ("model_type", "model_attributes_type", "dict_type"):
        words = "expected an object"
    elif kind == "literal_error":
        words = f"{shown(value)}: expected {context.get('expected', 'another value')}"
    else:  # pragma: no cover - every type the documents use is worded above
        words = f"{shown(value)}: {entry['msg']}"
    return f"{name}: {words}" if name else words
