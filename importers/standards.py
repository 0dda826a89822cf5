"""The apprenticeship standards JSON (``/api/apprenticeshipstandards``): read, check, then fill in
the standard details of the apprenticeship products the Occupational Maps import made.

The source is a JSON list with one object per version of a standard. Only the latest version of
each standard (the highest ``version``, compared number by number: 1.10 is after 1.9) is used;
its version is kept in ``Product.latest_version``.

A standard is matched to the apprenticeship product (type 1) whose code is its
``referenceNumber``. When no product has that code, ``occupationCode`` is tried: the named
occupation's apprenticeship product is used if it has exactly one, no other standard in the source
names that product directly and the standard is not retired (a retired standard's occupation is
usually served by its replacement, which must not be overwritten). A matched product that is
linked to no occupation is linked to the one ``occupationCode`` names, when that exists.

A standard that matches no product is reported as a note, not an error: the source covers every
route, the database perhaps only some. Nothing here creates products or removes anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from pydantic import BaseModel, ConfigDict, Field

from core.fetching import Fetcher
from core.importing import ImportOutcome, keyed, sync_rows
from core.parsers import (
    clean_text,
    json_from_bytes,
    list_field,
    parse_date,
    shown,
    validated,
    whole_number,
)
from core.problems import Problems
from occupations.models import OCCUPATION_CODE_RE, Occupation, OccupationProduct, Product

#: Seconds to wait for a server before giving up.
FETCH_TIMEOUT = 30
RETIRED = "retired"
VERSION_RE = re.compile(r"^[0-9]+(\.[0-9]+)*$")
#: Upper bound of the small columns; the others hold core.parsers.MAX_NUMBER.
MAX_SMALL_INT = 32_767
KSB_KEYS = ("knowledges", "skills", "behaviours")

_validate_url = URLValidator(schemes=["http", "https"])


class StandardRecord(BaseModel):
    """The text fields of one standard in the source, strictly typed: a list or a number where
    text belongs is refused, not turned into text. The numbers (which the API gives as numbers
    or as text), lists and the provider are checked by the parsers below."""

    model_config = ConfigDict(strict=True, populate_by_name=True, extra="ignore")

    reference_number: str | None = Field(None, alias="referenceNumber")
    title: str | None = None
    status: str | None = None
    occupation_code: str | None = Field(None, alias="occupationCode")
    approved_for_delivery: str | None = Field(None, alias="approvedForDelivery")
    standard_page_url: str | None = Field(None, alias="standardPageUrl")
    route: str | None = None
    pathway: str | None = None
    cluster: str | None = None
    overview_of_role: str | None = Field(None, alias="overviewOfRole")


@dataclass
class Standard:
    """The latest version of one standard, checked and ready to write onto its product."""

    where: str
    reference: str
    title: str
    status: str
    version: str
    occupation_code: str
    fields: dict
    versions: list[str] = field(default_factory=list)

    @property
    def retired(self) -> bool:
        return self.status.lower() == RETIRED


@dataclass
class StandardsData:
    standards: dict[str, Standard] = field(default_factory=dict)
    records: int = 0


# Reading -----------------------------------------------------------------------------------


def is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def load(source: str, problems: Problems, fetcher: Fetcher | None = None):
    """The JSON document at a path or URL, or None (with a problem) when there is none."""
    if is_url(source):
        return (fetcher or Fetcher(timeout=FETCH_TIMEOUT)).get_json(source, problems)
    try:
        raw = Path(source).read_bytes()
    except FileNotFoundError:
        problems.add(source, "no such file")
        return None
    except OSError as exc:
        problems.add(source, f"cannot be read: {exc}")
        return None
    return json_from_bytes(raw, source, problems)


def read_source(source: str, fetcher: Fetcher | None = None) -> tuple[StandardsData, Problems]:
    """Read and check every standard in ``source`` (a path or an http(s) URL, fetched with
    ``fetcher``, by default one that retries four times)."""
    problems = Problems()
    data = StandardsData()
    document = load(source, problems, fetcher)
    if problems:
        return data, problems
    if not isinstance(document, list):
        problems.add(
            source,
            f"expected a JSON list of standards, not {type(document).__name__}",
        )
        return data, problems
    read_standards(document, source, data, problems)
    return data, problems


def read_standards(items: list, label: str, data: StandardsData, problems: Problems) -> None:
    seen: dict[tuple[str, str], str] = {}
    versions: dict[str, list[tuple[tuple[int, ...], Standard]]] = {}
    for index, item in enumerate(items):
        data.records += 1
        standard = read_standard(item, f"{label}[{index}]", problems)
        if standard is None:
            continue
        key = (standard.reference, standard.version)
        if key in seen:
            problems.add(
                standard.where,
                f"version: {standard.version or '(none)'}: this version of "
                f"{standard.reference} is also in {seen[key]}",
            )
            continue
        seen[key] = standard.where
        versions.setdefault(standard.reference, []).append((_version_key(standard), standard))
    for reference, candidates in versions.items():
        candidates.sort(key=lambda pair: pair[0])
        latest = candidates[-1][1]
        latest.versions = [s.version for _, s in candidates]
        data.standards[reference] = latest


def _version_key(standard: Standard) -> tuple[int, ...]:
    return tuple(int(part) for part in standard.version.split(".")) if standard.version else ()


def read_standard(item, where: str, problems: Problems) -> Standard | None:
    if not isinstance(item, dict):
        problems.add(where, "expected a standard object")
        return None
    raw_reference = item.get("referenceNumber")
    reference = clean_text(raw_reference).upper() if isinstance(raw_reference, str) else ""
    if validated(StandardRecord, item, f"{where} {reference}".strip(), problems) is None:
        return None
    if not reference:
        problems.add(where, "referenceNumber: missing or empty")
        return None
    where = f"{where} {reference}"
    before = len(problems)

    small = {"required": False, "maximum": MAX_SMALL_INT}
    level = whole_number(item.get("level"), where, "level", problems, **small)
    if level is not None and not 2 <= level <= 7:
        problems.add(where, f"level: {item['level']!r}: must be between 2 and 7")
    lars_code = whole_number(item.get("larsCode"), where, "larsCode", problems, required=False)
    duration = whole_number(
        item.get("typicalDuration"), where, "typicalDuration", problems, **small
    )
    max_funding = whole_number(
        item.get("maxFunding"), where, "maxFunding", problems, required=False
    )
    version = _version(item, where, problems)
    occupation_code = clean_text(item.get("occupationCode")).upper()
    if occupation_code and not re.match(OCCUPATION_CODE_RE, occupation_code):
        problems.add(
            where,
            f"occupationCode: {item.get('occupationCode')!r}: not an occupation code like OCC0118",
        )
    approved = parse_date(item.get("approvedForDelivery"), where, problems, "approvedForDelivery")
    url = _url(item, "standardPageUrl", where, problems)
    eqa_provider = _eqa_provider(item, where, problems)
    duties = list_field(item, "duties", where, problems, optional=True)
    ksb_lists = [list_field(item, key, where, problems, optional=True) for key in KSB_KEYS]
    for key in ("typicalJobTitles", "keywords"):
        _text_or_list(item, key, where, problems)
    duties_count = len(duties) if duties is not None else None
    ksbs_count = (
        sum(len(items) for items in ksb_lists if items is not None)
        if any(items is not None for items in ksb_lists)
        else None
    )
    for name, count in (
        ("duties", duties_count),
        ("knowledges, skills and behaviours", ksbs_count),
    ):
        if count is not None and count > MAX_SMALL_INT:
            problems.add(where, f"{name}: {count} items: more than {MAX_SMALL_INT}")
    if len(problems) > before:
        return None
    return Standard(
        where=where,
        reference=reference,
        title=clean_text(item.get("title")),
        status=clean_text(item.get("status")),
        version=version,
        occupation_code=occupation_code,
        fields={
            "lars_code": lars_code,
            "typical_duration_months": duration,
            "max_funding": max_funding,
            "eqa_provider": eqa_provider,
            "approved_for_delivery": approved,
            "standard_url": url,
            "duties_count": duties_count,
            "ksbs_count": ksbs_count,
            "latest_version": version,
        },
    )


def _version(item: dict, where: str, problems: Problems) -> str:
    key = "version" if item.get("version") not in (None, "") else "versionNumber"
    value = item.get(key)
    if value in (None, ""):
        return ""
    if isinstance(value, float):
        # 1.10 read as a number is 1.1: only text says which version it is.
        problems.add(where, f"{key}: {value!r}: expected text like '1.10', not a number")
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        problems.add(where, f"{key}: {value!r}: not a version number like 1.1")
        return ""
    text = str(value).strip()
    if not VERSION_RE.match(text):
        problems.add(where, f"{key}: {value!r}: not a version number like 1.1")
        return ""
    return text


def _url(item: dict, key: str, where: str, problems: Problems) -> str:
    value = item.get(key)
    if value in (None, ""):
        return ""
    text = str(value).strip()
    try:
        _validate_url(text)
    except ValidationError:
        problems.add(where, f"{key}: {value!r}: not an http(s) URL")
        return ""
    if len(text) > Product._meta.get_field("standard_url").max_length:
        problems.add(where, f"{key}: {value!r}: longer than 500 characters")
        return ""
    return text


def _eqa_provider(item: dict, where: str, problems: Problems) -> str:
    """``eQAProvider`` is an object with ``providerName`` in the API, a plain name in some
    copies."""
    value = item.get("eQAProvider")
    if value is None:
        return ""
    if isinstance(value, dict):
        provider = value.get("providerName")
        if provider is not None and not isinstance(provider, str):
            problems.add(
                where,
                f"eQAProvider.providerName: {shown(provider)}: expected text, not "
                f"{type(provider).__name__}",
            )
            return ""
        name = clean_text(provider)
    elif isinstance(value, str):
        name = clean_text(value)
    else:
        problems.add(where, f"eQAProvider: {value!r}: expected an object or a name")
        return ""
    if len(name) > Product._meta.get_field("eqa_provider").max_length:
        problems.add(where, f"eQAProvider: {name[:40]!r}...: longer than 300 characters")
        return ""
    return name


def _text_or_list(item: dict, key: str, where: str, problems: Problems) -> list[str]:
    """``typicalJobTitles`` and ``keywords`` come as a "|"-separated string or a list."""
    value = item.get(key)
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [t for t in (clean_text(part) for part in value.split("|")) if t]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [t for t in (clean_text(v) for v in value) if t]
    problems.add(where, f"{key}: expected a list of names or a '|'-separated string")
    return []


# Writing -----------------------------------------------------------------------------------


class StandardsWriter:
    """Writes checked :class:`StandardsData` onto the products. Call inside a transaction."""

    def __init__(self, data: StandardsData):
        self.data = data
        self.outcome = ImportOutcome(main="products")
        #: Occupation id → its apprenticeship products (filled by ``write``).
        self.own: dict[int, list[Product]] = {}

    def write(self) -> ImportOutcome:
        standards = self.data.standards
        products = keyed(
            Product.objects.filter(type=Product.Type.APPRENTICESHIP), lambda p: p.code.upper()
        )
        occupation_codes = {s.occupation_code for s in standards.values() if s.occupation_code}
        occupations = keyed(
            Occupation.objects.filter(code__in=sorted(occupation_codes)), lambda o: o.code
        )
        by_pk = {product.pk: product for product in products.values()}
        linked: dict[int, set[int]] = {}
        for occupation_id, product_id in OccupationProduct.objects.filter(
            product__type=Product.Type.APPRENTICESHIP
        ).values_list("occupation_id", "product_id"):
            linked.setdefault(product_id, set()).add(occupation_id)
            self.own.setdefault(occupation_id, []).append(by_pk[product_id])

        matched: dict[str, tuple[Product, Standard]] = {}
        unmatched: list[Standard] = []
        for reference in sorted(standards):
            standard = standards[reference]
            product = products.get(reference)
            if product is not None:
                matched[product.code] = (product, standard)
            else:
                unmatched.append(standard)
        for standard in unmatched:
            product = self._by_occupation(standard, occupations, matched)
            if product is not None:
                matched[product.code] = (product, standard)

        desired_links: dict[tuple[int, int], dict] = {}
        for product, standard in matched.values():
            if linked.get(product.pk) or not standard.occupation_code:
                continue
            occupation = occupations.get(standard.occupation_code)
            if occupation is None:
                self.outcome.notes.append(
                    f"{standard.where}: occupationCode: {standard.occupation_code}: product "
                    f"{product.code} is linked to no occupation and this one is not in the "
                    "database; left unlinked"
                )
                continue
            desired_links[(occupation.pk, product.pk)] = {
                "occupation_id": occupation.pk,
                "product_id": product.pk,
                "name": product.name,
            }

        self.outcome.add(
            "products",
            sync_rows(
                Product,
                {code: standard.fields for code, (_, standard) in matched.items()},
                {code: product for code, (product, _) in matched.items()},
                delete_missing=False,
            ),
        )
        self.outcome.add(
            "product links",
            sync_rows(OccupationProduct, desired_links, {}, delete_missing=False),
        )
        return self.outcome

    def _by_occupation(self, standard, occupations, matched) -> Product | None:
        """The fallback: the one apprenticeship product of the occupation ``occupationCode``
        names. Says in a note why a standard was matched this way or not at all."""
        notes = self.outcome.notes
        unmatched = (
            f"{standard.where}: referenceNumber: {standard.reference} ({standard.title}): no "
            "apprenticeship product has this code"
        )
        occupation = occupations.get(standard.occupation_code)
        if occupation is None:
            if standard.occupation_code:
                unmatched += f" and occupation {standard.occupation_code} is not in the database"
            notes.append(f"{unmatched}; not imported")
            return None
        if standard.retired:
            notes.append(
                f"{unmatched}; the standard is retired, so occupation {occupation.code}'s "
                "products are left as they are"
            )
            return None
        own = self.own.get(occupation.pk, [])
        if len(own) != 1:
            notes.append(
                f"{unmatched}; occupation {occupation.code} has {len(own)} apprenticeship "
                "products, so none is filled"
            )
            return None
        product = own[0]
        if product.code in matched:
            other = matched[product.code][1]
            notes.append(
                f"{unmatched}; occupation {occupation.code}'s product {product.code} is filled "
                f"from {other.reference} instead"
            )
            return None
        notes.append(
            f"{standard.where}: matched by occupationCode {occupation.code} to product "
            f"{product.code} ({product.name}), which has another code"
        )
        return product
