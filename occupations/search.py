"""The one search box: codes, titles, job titles and the ONS coding index.

``find(text)`` says which occupations a query finds, best first, and why each was found. The
same code runs on PostgreSQL and SQLite: every query word is a ``LIKE`` on the stored search
documents (``core.textsearch``), which PostgreSQL answers from trigram indexes, and the ranking
is done here on the few rows found.

The ONS coding index (``socmapping.SocIndexEntry``) is reached through the mappings' relations
(``soc_index_entries()``), as this app comes before the SOC app.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Max, Q
from django.urls import reverse

from core import textsearch
from core.dataversion import data_version
from occupations.models import (
    OCCUPATION_CODE_RE,
    Occupation,
    soc_index_entries,
    sub_unit_group_mappings,
)

STANDARD_RE = re.compile(r"ST[0-9]{4}")
SOC_RE = re.compile(r"(?:SOC\s*(2010|2020)\s*)?([1-9][0-9]{3})(?:/([0-9]{2}))?")
SUGGESTIONS = 10


@dataclass
class Found:
    """What a query found: occupation ids best first, and a reason for those that need one."""

    ids: list[int] = field(default_factory=list)
    reasons: dict[int, str] = field(default_factory=dict)
    parsed: textsearch.ParsedQuery | None = None
    #: Index entries that matched (title, code, group title), for the no-results page.
    job_titles: list[tuple[str, str, str]] = field(default_factory=list)
    code: str = ""


def occupation_code(text: str) -> str:
    """The occupation code ``text`` is, if it is one ("occ0118" → "OCC0118")."""
    code = "".join(text.split()).upper()
    return code if re.fullmatch(OCCUPATION_CODE_RE, code) else ""


def find(text: str) -> Found:
    text = " ".join(text.split())
    squeezed = "".join(text.split()).upper()
    if code := occupation_code(text):
        return Found(list(Occupation.objects.filter(code=code).values_list("pk", flat=True)))
    if STANDARD_RE.fullmatch(squeezed):
        return find_standard(squeezed)
    if match := SOC_RE.fullmatch(" ".join(text.upper().split())):
        return find_soc(*match.groups())
    return find_text(text)


def by_title(ids) -> list[int]:
    return list(
        Occupation.objects.filter(pk__in=ids).order_by("title", "code").values_list("pk", flat=True)
    )


def find_standard(reference: str) -> Found:
    ids = by_title(
        Occupation.objects.filter(
            Q(standard_reference__iexact=reference)
            | Q(product_links__product__code__iexact=reference)
        ).values("pk")
    )
    return Found(ids, dict.fromkeys(ids, f"standard {reference}"), code=reference)


def find_soc(version: str | None, unit: str, suffix: str | None) -> Found:
    reasons: dict[int, str] = {}
    if suffix:
        code = f"{unit}/{suffix}"
        if version == "2010":
            return Found(code=f"SOC 2010 {code}")
        for occupation_id, title in (
            sub_unit_group_mappings()
            .filter(sub_unit_group__code=code)
            .values_list("occupation_id", "sub_unit_group__title")
        ):
            reasons[occupation_id] = f"SOC 2020 sub-unit group {code} {title}"
        return Found(by_title(reasons), reasons, code=code)
    if version in (None, "2010"):
        for occupation_id, title in Occupation.objects.filter(soc__soc2010__code=unit).values_list(
            "pk", "soc__soc2010__title"
        ):
            reasons[occupation_id] = f"SOC 2010 unit group {unit} {title}"
    if version in (None, "2020"):
        for occupation_id, title in Occupation.objects.filter(soc__soc2020__code=unit).values_list(
            "pk", "soc__soc2020__title"
        ):
            reasons.setdefault(occupation_id, f"SOC 2020 unit group {unit} {title}")
        for occupation_id, sub, title in (
            sub_unit_group_mappings()
            .filter(sub_unit_group__unit_group__code=unit)
            .values_list("occupation_id", "sub_unit_group__code", "sub_unit_group__title")
        ):
            reasons.setdefault(occupation_id, f"SOC 2020 sub-unit group {sub} {title}")
    label = f"SOC {version} {unit}" if version else unit
    return Found(by_title(reasons), reasons, code=label)


# The vocabulary: every word the documents hold, built once per version of the data.
_vocabulary: tuple[tuple, textsearch.Vocabulary] | None = None
_vocabulary_lock = threading.Lock()


def vocabulary() -> textsearch.Vocabulary:
    global _vocabulary
    # Every import and admin save starts a new data version; the rest of the key notices rows
    # written any other way (a shell, a test). The newest index entry is read from its primary
    # key's index: counting 32,000 entries on every search would cost more than the search.
    occupations = Occupation.objects.aggregate(n=Count("pk"), at=Max("updated_at"))
    last_entry = soc_index_entries().order_by("-pk").values_list("pk", flat=True).first()
    key = (data_version(), occupations["n"], occupations["at"], last_entry)
    cached = _vocabulary
    if cached is not None and cached[0] == key:
        return cached[1]
    with _vocabulary_lock:
        texts = [
            *Occupation.objects.values_list("title", flat=True),
            *Occupation.objects.values_list("search_text", flat=True),
            *soc_index_entries().values_list("title", flat=True),
        ]
        built = textsearch.Vocabulary.build(texts)
        _vocabulary = (key, built)
    return built


def matching(parsed: textsearch.ParsedQuery) -> Q:
    condition = Q()
    for group in parsed.groups:
        options = Q()
        for pattern in group.pattern_options():
            options |= Q(search_document__contains=pattern)
        condition &= options
    return condition


def tokens(text: str) -> list[str]:
    return textsearch.document(text).split()


def find_text(text: str) -> Found:
    parsed = textsearch.parse(text, vocabulary())
    found = Found(parsed=parsed)
    if not parsed.findable:
        return found
    condition = matching(parsed)
    query = textsearch.fold(text)
    understood = textsearch.fold(parsed.corrected_text)
    ranked = []
    for pk, title, search_document in Occupation.objects.filter(condition).values_list(
        "pk", "title", "search_document"
    ):
        title_tokens = tokens(title)
        every_token = search_document.split()
        in_title = [group.closeness(title_tokens) for group in parsed.groups]
        in_text = [group.closeness(every_token) for group in parsed.groups]
        folded = textsearch.fold(title)
        tier = 4 if folded in (query, understood) else 3 if all(in_title) else 2
        if tier == 2:
            found.reasons[pk] = "its typical job titles or keywords"
        score = (tier, sum(in_title), sum(in_text), -len(title_tokens))
        ranked.append((score, title, pk))
    direct = {pk for _, _, pk in ranked}
    ranked.extend(index_matches(parsed, condition, direct, found))
    ranked.sort(key=lambda item: (tuple(-part for part in item[0]), item[1]))
    found.ids = [pk for _, _, pk in ranked]
    return found


def index_matches(parsed, condition, direct: set[int], found: Found):
    """Occupations found through the coding index's job titles: through each entry's sub-unit
    group, or its unit group where no occupation is mapped to the sub-unit group."""
    entries = []
    query = {textsearch.fold(parsed.text), textsearch.fold(parsed.corrected_text)}
    for title, document, unit_id, unit, unit_title, sub_id, sub, sub_title in (
        soc_index_entries()
        .filter(condition)
        .values_list(
            "title",
            "search_document",
            "unit_group_id",
            "unit_group__code",
            "unit_group__title",
            "sub_unit_group_id",
            "sub_unit_group__code",
            "sub_unit_group__title",
        )
    ):
        entry_tokens = document.split()
        closeness = sum(group.closeness(entry_tokens) for group in parsed.groups)
        exact = textsearch.fold(title) in query
        code, group_title = (sub, sub_title) if sub else (unit, unit_title)
        entries.append(((int(exact), closeness, -len(entry_tokens)), title, unit_id, sub_id, code))
        found.job_titles.append((title, code, group_title))
    if not entries:
        return []
    found.job_titles.sort(key=lambda entry: (len(entry[0]), entry[0]))
    subs = {sub for *_, sub, _ in entries if sub}
    by_sub: dict[int, list[tuple[int, bool]]] = {}
    for occupation_id, sub_id, primary in (
        sub_unit_group_mappings()
        .filter(sub_unit_group_id__in=subs)
        .values_list("occupation_id", "sub_unit_group_id", "is_primary")
    ):
        by_sub.setdefault(sub_id, []).append((occupation_id, primary))
    units = {unit for _, _, unit, sub, _ in entries if sub not in by_sub}
    by_unit: dict[int, set[int]] = {}
    for occupation_id, unit_id in Occupation.objects.filter(soc__soc2020_id__in=units).values_list(
        "pk", "soc__soc2020_id"
    ):
        by_unit.setdefault(unit_id, set()).add(occupation_id)
    for occupation_id, unit_id in (
        sub_unit_group_mappings()
        .filter(sub_unit_group__unit_group_id__in=units)
        .values_list("occupation_id", "sub_unit_group__unit_group_id")
    ):
        by_unit.setdefault(unit_id, set()).add(occupation_id)
    group_titles = {code: title for _, code, title in found.job_titles}
    best: dict[int, tuple] = {}
    for score, title, unit_id, sub_id, code in entries:
        if sub_id in by_sub:
            reached = [(pk, 1, int(primary)) for pk, primary in by_sub[sub_id]]
        else:
            reached = [(pk, 0, 0) for pk in by_unit.get(unit_id, ())]
        for pk, through_sub, primary in reached:
            if pk in direct:
                continue
            rank = (1, *score, through_sub, primary)
            if pk not in best or rank > best[pk][0]:
                best[pk] = (rank, title, code)
    if not best:
        return []
    titles = dict(Occupation.objects.filter(pk__in=best).values_list("pk", "title"))
    results = []
    for pk, (rank, title, code) in best.items():
        found.reasons[pk] = f"ONS job title ‘{title}’, {code} {group_titles.get(code, '')}".strip()
        results.append((rank, titles[pk], pk))
    return results


def suggest(text: str, limit: int = SUGGESTIONS) -> list[dict]:
    """Up to ``limit`` suggestions as one types: occupations, then ONS job titles and SOC
    groups, each with where it leads."""
    text = " ".join(text.split())[:200]
    if len(text) < 2:
        return []
    search = reverse("occupations:list")
    if code := occupation_code(text):
        occupation = Occupation.objects.filter(code=code).first()
        if occupation:
            return [suggestion(occupation.title, "occupation", occupation.get_absolute_url())]
    found = find(text)
    items = []
    occupations = Occupation.objects.in_bulk(found.ids[:limit])
    for pk in found.ids[:limit]:
        occupation = occupations[pk]
        items.append(suggestion(occupation.title, "occupation", occupation.get_absolute_url()))
    seen_titles = {item["label"].casefold() for item in items}
    seen_codes = set()
    for title, code, group_title in found.job_titles:
        if len(items) >= limit:
            break
        if title.casefold() not in seen_titles:
            seen_titles.add(title.casefold())
            items.append(suggestion(title, "job title", f"{search}?{urlencode_q(title)}"))
        if code not in seen_codes and len(items) < limit:
            seen_codes.add(code)
            items.append(
                suggestion(f"{code} {group_title}", "SOC group", f"{search}?{urlencode_q(code)}")
            )
    return items[:limit]


def suggestion(label: str, kind: str, url: str) -> dict:
    return {"label": label, "kind": kind, "url": url}


def urlencode_q(value: str) -> str:
    return urlencode({"q": value})
