"""A full-scale synthetic Occupational Maps snapshot, in the formats ``import_maps`` reads.

Every name, code and sentence is generated from word lists and a seeded ``random.Random``: none
of it is real data, and the same seed always writes the same files. At the default scale it has
the national map's shape: 15 routes, 35 pathways, about 170 clusters in rows across the three
bands, about 1,300 occupations (the largest route about 150), about 3,000 progression pairs (some
across routes) and about 2,000 products, with all four statuses, SOC 2010 and SOC 2020 unit groups
and SOC 2020 sub-unit groups, and a sprinkling of the source's quirks (placeholder dates, stray
spaces, HTML entities, letter-suffixed codes).

It writes ``routes.json``, ``green-themes.json`` and one API occupation object per file under a
folder per route (``<route-slug>/OCC0123.json``)::

    python benchmarks/snapshot.py OUTPUT_DIR [--occupations N] [--seed S]

Tests use :func:`generate` to write a small (or, with ``occupations=FULL``, the full) snapshot into
a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path
from typing import NamedTuple

FULL = 1300  # occupations in the national map
MAX_OCCUPATIONS = 6000  # codes stay OCC plus four digits
SMALL = 120  # enough for every route, status, band and product type to appear

# The national map's shape at FULL scale; other sizes are scaled from it.
ROUTE_WEIGHTS = (150, 130, 120, 110, 100, 95, 90, 85, 80, 75, 70, 60, 55, 45, 35)  # sum 1,300
PATHWAYS_PER_ROUTE = (4, 4, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 1, 1, 1)  # 35 pathways
CLUSTERS = 172
PROGRESSION_PAIRS = 3000
CROSS_ROUTE_SHARE = 0.08  # of the progression pairs
ISOLATED_SHARE = 0.07  # occupations with no progression neighbours...
POTENTIAL_ISOLATED_SHARE = 0.6  # ...but most potential ones have none
VARIANT_GROUP_CHANCE = 0.035  # a run of OCC0119A, OCC0119B, ... sharing one standard
SUMMARY_LENGTH = (1500, 3000)  # characters of HTML

STATUS_NAMES = {
    1: "Approved occupation",
    2: "Occupational standard in development",
    3: "Potential occupational standard",
    4: "Occupational standard without apprenticeship",
}
STATUS_WEIGHTS = (72, 6, 12, 10)
BAND_NAMES = {1: "Technical", 2: "Higher Technical", 3: "Professional"}
BAND_LEVELS = {1: (2, 3), 2: (4, 5), 3: (6, 7)}
LEVEL_WEIGHTS = {1: (25, 75), 2: (75, 25), 3: (50, 50)}
PRODUCT_TYPE_NAMES = {
    1: "Apprenticeship",
    2: "HTQ",
    3: "T Level",
    4: "TQ",
    5: "Foundation Apprenticeship",
    6: "Apprenticeship Unit",
}
ENTRY_CATEGORY = "Occupational entry technical qualifications"
API = "https://occupational-maps-api.example.org/api/v1"
SITE = "https://occupational-maps.example.org"

# Word lists (ordinary English words: the text they make is invented).
PLACES = (
    "harbour", "orchard", "textile", "signal", "archive", "foundry", "clinic", "studio", "ledger",
    "kitchen", "quarry", "workshop", "garden", "laboratory", "depot", "gallery", "forge",
    "observatory", "market", "pharmacy", "vineyard", "mill", "library", "station", "bakery",
    "reservoir", "theatre", "hangar", "dockyard", "nursery", "tannery", "brewery", "printworks",
    "warehouse", "academy", "pottery", "apiary", "fishery", "timberyard", "boatyard",
)  # fmt: skip
SUBJECTS = (
    "rigging", "glazing", "survey", "assay", "cartography", "upholstery", "telemetry", "joinery",
    "calibration", "irrigation", "metrology", "hydraulics", "acoustics", "composites", "ceramics",
    "logistics", "forensics", "robotics", "optics", "horology", "masonry", "plumbing", "analytics",
    "compliance", "hospitality", "animation", "typography", "navigation", "welding", "coating",
    "insulation", "fermentation", "dispensing", "conservation", "ergonomics", "recycling",
    "sensor", "turbine", "pipeline", "cabling", "drone", "payroll", "tenancy", "custody",
    "curation", "packaging", "grading", "milling", "stitching", "tuning", "bridge", "tunnel",
    "rail", "fleet", "cargo", "signage", "lighting", "audio", "broadcast", "pattern", "fitness",
    "therapy", "nutrition", "dental", "optical", "veterinary", "seed", "soil", "stone", "glass",
    "paper", "plastics", "battery", "solar", "hydrogen", "network", "database", "software",
    "security", "cloud", "archival", "mapping", "metalwork", "print", "retail", "events",
)  # fmt: skip
ROLES = {
    1: ("operative", "technician", "assistant", "installer", "craftsperson", "fitter", "worker"),
    2: ("advanced technician", "supervisor", "specialist", "coordinator", "manager", "inspector"),
    3: ("professional", "engineer", "scientist", "consultant", "lead", "architect", "director"),
}
MODIFIERS = (
    "Senior", "Junior", "Field", "Bench", "Mobile", "Site", "Lead", "Assistant", "Marine", "Rural",
    "Urban", "Heritage", "Digital", "Precision", "Estate", "Network", "Quality", "Production",
)  # fmt: skip
PATHWAY_TAILS = ("services", "operations", "design and development", "production", "support")
SYLLABLES = (
    "ash", "bel", "cor", "dun", "el", "fen", "gar", "hol", "ing", "kel", "lan", "mor", "nor",
    "pen", "quin", "ros", "sel", "tor", "ver", "wick", "brad", "cal", "dor", "har", "mel", "tam",
)  # fmt: skip
ENDINGS = ("by", "ton", "ford", "ley", "worth", "field", "ham", "stead", "more", "well", "gate")
COMPANY_SUFFIXES = ("Ltd", "PLC", "Group", "Limited", "LLP", "Partners", "Trust", "Services")
GREEN_WORDS = (
    "Renewable", "Low carbon", "Circular", "Clean", "Efficient", "Natural", "Resilient", "Zero",
)  # fmt: skip
GREEN_AREAS = (
    "heat", "power", "transport", "materials", "water", "land", "buildings", "industry", "waste",
    "finance", "storage", "grids", "food", "air", "coasts", "forests",
)  # fmt: skip
VERBS = (
    "plan", "inspect", "maintain", "design", "install", "monitor", "test", "repair", "record",
    "prepare", "assess", "coordinate", "improve", "deliver", "analyse", "configure", "check",
)  # fmt: skip
OBJECTS = (
    "equipment", "records", "systems", "materials", "samples", "schedules", "components",
    "installations", "reports", "budgets", "products", "processes", "sites", "assets", "data",
)  # fmt: skip
OUTCOMES = (
    "work is safe and compliant", "customers receive a reliable service",
    "costs stay within budget", "quality standards are met", "deadlines are kept",
    "waste is kept to a minimum", "the organisation can make sound decisions",
    "faults are found before they cause harm", "colleagues have what they need",
    "the business meets its legal duties",
)  # fmt: skip
PEOPLE = (
    "customers and suppliers", "colleagues in other teams", "site managers",
    "members of the public", "regulators and inspectors", "contractors", "clients",
    "senior managers", "specialist staff",
)  # fmt: skip
SECTORS = (
    "small and large employers", "the public and private sectors", "manufacturing and retail",
    "local government", "transport and logistics", "the voluntary sector", "construction sites",
    "offices, workshops and outdoor sites", "regional and national organisations",
)  # fmt: skip
CONSTRAINTS = (
    "agreed procedures", "health and safety law", "the organisation's policies",
    "industry standards", "tight timescales", "a set budget", "data protection rules",
)  # fmt: skip
QUALIFICATION_FORMS = (
    "Certificate of Higher Education in {s}",
    "Foundation Degree in {s}",
    "HNC in {s} and {t}",
    "HND in {s}",
    "Diploma of Higher Education in {s}",
    "{b} Level {lvl} Diploma: {S} {r}",
    "{b} Level {lvl} Higher National Certificate in {S} and {t}",
)
PRODUCT_STATUSES = {1: "Approved for delivery", 2: "In development", 6: "Retired"}


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _a(noun: str) -> str:
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _apportion(total: int, weights, minimum: int = 0) -> list[int]:
    """Split ``total`` by ``weights`` (largest remainders), each part at least ``minimum``
    while ``total`` allows."""
    minimum = min(minimum, total // len(weights)) if weights else 0
    spare = total - minimum * len(weights)
    whole = sum(weights)
    shares = [spare * w / whole for w in weights]
    parts = [int(s) for s in shares]
    order = sorted(range(len(weights)), key=lambda i: (parts[i] - shares[i], i))
    for i in order[: spare - sum(parts)]:
        parts[i] += 1
    return [p + minimum for p in parts]


@dataclass(eq=False)
class Route:
    route_id: int
    name: str
    slug: str
    sequence: int
    size: int
    pathways: list[Pathway] = field(default_factory=list)


@dataclass(eq=False)
class Pathway:
    route: Route
    pathway_id: int
    name: str
    sequence: int
    clusters: list[Cluster] = field(default_factory=list)


@dataclass(eq=False)
class Cluster:
    pathway: Pathway
    cluster_id: int
    row_id: int
    row_sequence: int
    band: int
    name: str
    subject: str
    soc2010: str
    soc2020: str


@dataclass(eq=False)
class Occupation:
    index: int
    cluster: Cluster
    level: int
    title: str
    status: int
    unit: int  # variants of one standard share a unit (and an OCC number)
    standard_name: str  # the standard's name: the title, or the variants' common part
    code: str = ""
    standard: str = ""  # the ST code, shared by variants
    name: str = ""  # the title as published (with the source's stray spaces)
    date: str = ""
    version_no: str = ""


class Generator:
    """Builds the whole snapshot in memory; :meth:`files` yields what to write."""

    def __init__(self, seed: int, occupations: int):
        if not 1 <= occupations <= MAX_OCCUPATIONS:
            raise ValueError(f"occupations: {occupations}: give 1 to {MAX_OCCUPATIONS}")
        self.rng = random.Random(seed)
        self.total = occupations
        self.scale = occupations / FULL
        self.titles: set[str] = set()
        self.routes = self.make_routes()
        self.themes = self.make_green_themes()
        self.soc2010, self.soc2020, self.sub_unit_groups = self.make_soc()
        self.make_structure()
        self.occupations = self.make_occupations()
        self.assign_codes()
        self.pairs, self.cross_route = self.make_progression()
        self.products: dict[str, dict] = {}
        self.shelves: dict[tuple[int, int], list[str]] = {}
        self.htq_number = 0

    # Words ------------------------------------------------------------------------------------
    def company(self) -> str:
        rng = self.rng
        name = _cap(rng.choice(SYLLABLES) + rng.choice(ENDINGS))
        if rng.random() < 0.25:
            # The source writes ampersands as entities.
            name += " &amp; " + _cap(rng.choice(SYLLABLES) + rng.choice(ENDINGS))
        return f"{name} {rng.choice(COMPANY_SUFFIXES)}"

    def unique_title(self, make) -> str:
        for _ in range(50):
            title = make()
            if title.lower() not in self.titles:
                break
        else:
            title = f"{title} {len(self.titles)}"
        self.titles.add(title.lower())
        return title

    # Structure --------------------------------------------------------------------------------
    def make_routes(self) -> list[Route]:
        rng = self.rng
        places = rng.sample(PLACES, 2 * len(ROUTE_WEIGHTS))
        names = []
        for i in range(len(ROUTE_WEIGHTS)):
            first, second = places[2 * i], places[2 * i + 1]
            form = rng.choice(("{a} and {b}", "{a} and {b} services", "{a}, {b} and allied trades"))
            names.append(_cap(form.format(a=first, b=second)))
        sizes = _apportion(self.total, ROUTE_WEIGHTS, minimum=1)
        ids = rng.sample(range(1, len(names) + 1), len(names))
        # The API's display sequence is alphabetical; its ids are not.
        sequence = {name: n for n, name in enumerate(sorted(names))}
        return [
            Route(route_id, name, _slug(name), sequence[name], size)
            for route_id, name, size in zip(ids, names, sizes, strict=True)
        ]

    def make_green_themes(self) -> list[dict]:
        rng = self.rng
        sub_ids = iter(rng.sample(range(1, 40), 36))
        themes = []
        for theme_id, (word, area) in zip(
            rng.sample(range(1, 9), 8),
            zip(rng.sample(GREEN_WORDS, 8), rng.sample(GREEN_AREAS, 8), strict=True),
            strict=True,
        ):
            subs = [
                {"themeId": next(sub_ids), "themeName": f"{_cap(s)} ({rng.choice(VERBS)}ing)"}
                for s in rng.sample(SUBJECTS, rng.randint(2, 4))
            ]
            themes.append({"themeId": theme_id, "themeName": f"{word} {area}", "subThemes": subs})
        return themes

    def make_soc(self):
        rng = self.rng

        def codes(count: int) -> list[str]:
            found: set[str] = set()
            while len(found) < count:
                found.add(
                    f"{rng.randint(1, 9)}{rng.randint(1, 5)}{rng.randint(1, 6)}{rng.randint(1, 9)}"
                )
            return sorted(found)

        def title() -> str:
            text = f"{_cap(rng.choice(SUBJECTS))} {rng.choice(ROLES[rng.randint(1, 3)])}s"
            if rng.random() < 0.15:
                text += " n.e.c."
            if rng.random() < 0.05:
                text += " "  # the source's trailing spaces
            return text

        # No more unit groups than the classifications have (SOC 2010: 369, SOC 2020: 412).
        soc2010 = {code: title() for code in codes(min(369, max(5, round(300 * self.scale))))}
        soc2020 = {code: title() for code in codes(min(412, max(5, round(340 * self.scale))))}
        sub_unit_groups: dict[str, dict[str, str]] = {}
        for code, unit_title in soc2020.items():
            count = rng.choice((1, 1, 2, 3, 4, 5, 6))
            if count == 1:
                sub_unit_groups[code] = {f"{code}/00": unit_title}
            else:
                sub_unit_groups[code] = {
                    f"{code}/{n:02d}": f"{_cap(rng.choice(SUBJECTS))} {unit_title.strip().lower()}"
                    for n in range(1, count + 1)
                }
        return soc2010, soc2020, sub_unit_groups

    def make_structure(self) -> None:
        rng = self.rng
        clusters_per_route = _apportion(CLUSTERS, ROUTE_WEIGHTS)
        pathway_ids = iter(rng.sample(range(10, 120), sum(PATHWAYS_PER_ROUTE)))
        row_ids = iter(rng.sample(range(1, 400), CLUSTERS))
        cluster_ids = iter(rng.sample(range(100, 700), CLUSTERS))
        soc2010, soc2020 = list(self.soc2010), list(self.soc2020)
        for route, pathways, clusters in zip(
            self.routes, PATHWAYS_PER_ROUTE, clusters_per_route, strict=True
        ):
            names: set[str] = set()
            for sequence, count in enumerate(_apportion(clusters, [1] * pathways, minimum=1)):
                while True:
                    a, b = rng.sample(SUBJECTS, 2)
                    name = _cap(
                        rng.choice((f"{a} and {b}", f"{a} {rng.choice(PATHWAY_TAILS)}"))
                    ).title()
                    if name not in names:
                        names.add(name)
                        break
                pathway = Pathway(route, next(pathway_ids), name, sequence)
                route.pathways.append(pathway)
                row_sequence = 0
                while count > 0:
                    size = min(count, rng.choice((1, 2, 2, 3, 3)))
                    row_id = next(row_ids)
                    for band in sorted(rng.sample((1, 2, 3), size)):
                        subject = rng.choice(SUBJECTS)
                        pathway.clusters.append(
                            Cluster(
                                pathway,
                                next(cluster_ids),
                                row_id,
                                row_sequence,
                                band,
                                _cap(f"{subject} {rng.choice(ROLES[band])}"),
                                subject,
                                rng.choice(soc2010),
                                rng.choice(soc2020),
                            )
                        )
                    count -= size
                    row_sequence += 1

    def make_occupations(self) -> list[Occupation]:
        rng = self.rng
        occupations: list[Occupation] = []
        for route in self.routes:
            clusters = [c for p in route.pathways for c in p.clusters]
            rng.shuffle(clusters)
            weights = [rng.lognormvariate(0, 0.7) for _ in clusters]
            counts = Counter(clusters[: route.size])  # one each first, then the big ones grow
            for cluster in rng.choices(clusters, weights, k=max(0, route.size - len(clusters))):
                counts[cluster] += 1
            for cluster in clusters:
                remaining = counts[cluster]
                while remaining > 0:
                    group = 1
                    if remaining >= 2 and rng.random() < VARIANT_GROUP_CHANCE:
                        group = min(remaining, rng.randint(2, 5))
                    occupations.extend(self.make_unit(cluster, group, len(occupations)))
                    remaining -= group
        return occupations

    def make_unit(self, cluster: Cluster, group: int, first: int) -> list[Occupation]:
        """One occupation, or a group of variants sharing one standard."""
        rng = self.rng
        level = rng.choices(BAND_LEVELS[cluster.band], LEVEL_WEIGHTS[cluster.band])[0]
        status = rng.choices((1, 2, 3, 4), STATUS_WEIGHTS)[0]

        def title() -> str:
            role = rng.choice(ROLES[cluster.band])
            other = rng.choice(SUBJECTS)
            return rng.choice(
                (
                    f"{rng.choice(MODIFIERS)} {cluster.subject} {role}",
                    f"{_cap(cluster.subject)} and {other} {role}",
                    f"{_cap(other)} {role}",
                    f"{rng.choice(MODIFIERS)} {other} {role}",
                )
            )

        base = self.unique_title(title)
        if group == 1:
            return [Occupation(first, cluster, level, base, status, first, base)]
        variants = []
        for n in range(group):
            option = f"{rng.choice(SUBJECTS)} {rng.choice(ROLES[cluster.band])}"
            name = self.unique_title(lambda option=option: f"{base} - {option}")
            variants.append(Occupation(first + n, cluster, level, name, status, first, base))
        return variants

    def assign_codes(self) -> None:
        """OCC numbers in a shuffled order with gaps; variant groups share a number."""
        rng = self.rng
        by_unit: dict[int, list[Occupation]] = {}
        for occupation in self.occupations:
            by_unit.setdefault(occupation.unit, []).append(occupation)
        units = list(by_unit.values())
        rng.shuffle(units)
        number = 0
        for unit in units:
            number += 1 if rng.random() < 0.75 else rng.randint(2, 3)
            if len(unit) == 1:
                unit[0].code = f"OCC{number:04d}"
            else:
                for letter, occupation in zip("ABCDEFGH", unit, strict=False):
                    occupation.code = f"OCC{number:04d}{letter}"
            for occupation in unit:
                occupation.standard = f"ST{number:04d}"

    def make_progression(self) -> tuple[set[tuple[int, int]], int]:
        rng = self.rng
        connected = [
            o
            for o in self.occupations
            if rng.random() >= (POTENTIAL_ISOLATED_SHARE if o.status == 3 else ISOLATED_SHARE)
        ]
        if len(connected) < 2:
            return set(), 0
        by_route: dict[int, list[Occupation]] = {}
        by_pathway: dict[int, list[Occupation]] = {}
        for o in connected:
            by_route.setdefault(o.cluster.pathway.route.route_id, []).append(o)
            by_pathway.setdefault(o.cluster.pathway.pathway_id, []).append(o)
        # Some occupations are hubs with many neighbours.
        cum_weights = list(accumulate(rng.lognormvariate(0, 0.6) for _ in connected))
        target = round(PROGRESSION_PAIRS * self.scale)
        target = min(target, len(connected) * (len(connected) - 1) // 2)
        pairs: set[tuple[int, int]] = set()
        cross = 0
        for _ in range(target * 50):
            if len(pairs) >= target:
                break
            a = rng.choices(connected, cum_weights=cum_weights)[0]
            route_id = a.cluster.pathway.route.route_id
            roll = rng.random()
            if roll < CROSS_ROUTE_SHARE and len(by_route) > 1:
                other_route = rng.choice([r for r in by_route if r != route_id])
                b = rng.choice(by_route[other_route])
            elif roll < 0.55:
                b = rng.choice(by_pathway[a.cluster.pathway.pathway_id])
            else:
                b = rng.choice(by_route[route_id])
            key = (min(a.index, b.index), max(a.index, b.index))
            if a is b or key in pairs:
                continue
            pairs.add(key)
            cross += b.cluster.pathway.route is not a.cluster.pathway.route
        return pairs, cross

    # Records ----------------------------------------------------------------------------------
    def product(self, kind: int, band: int, level: int) -> dict:
        """A product of ``kind``: often one that other occupations of the band list too."""
        rng = self.rng
        share_new = {2: 0.6, 3: 0.25, 4: 0.65, 5: 0.12, 6: 0.5}[kind]
        shelf = self.shelves.setdefault((kind, band), [])
        if shelf and rng.random() >= share_new:
            return self.products[rng.choice(shelf)]
        s, t = rng.sample(SUBJECTS, 2)
        role = rng.choice(ROLES[band])
        body = self.company().split(" &amp; ")[0].rsplit(" ", 1)[0] + " Awards"
        if kind == 2:
            self.htq_number += rng.randint(1, 4)
            code = f"HTQDZ{self.htq_number:04d}"
            if rng.random() < 0.1:
                code += "c"
            name = rng.choice(QUALIFICATION_FORMS).format(
                s=s, t=t, S=_cap(s), r=role, b=body, lvl=level
            )
        elif kind == 3:
            number = rng.randint(1, 30)
            code = f"TL{number:04d}{rng.choice('abcd')}"
            name = f"T Level Technical Qualification in {_cap(s)} and {t}"
            level = 3
        elif kind == 4:
            code = f"TQL3{rng.choice('CSX')}{rng.randint(10000, 99999)}RN{rng.randint(1000, 9999)}"
            name = f"{body} Level 3 Technical Occupational Entry for {_cap(s)} {role}s"
            level = 3
        elif kind == 5:
            code = f"FA{rng.randint(1, 60):04d}"
            name = f"{_cap(s)} foundation apprenticeship"
            level = 2
        else:
            code = f"AU{rng.randint(1, 400):04d}"
            name = f"{_cap(s)} {rng.choice(VERBS)}ing unit"
        if code in self.products:  # drawn again: shared after all
            return self.products[code]
        product = {
            "object": "Product",
            "name": name,
            "level": level,
            "type": kind,
            "typeName": PRODUCT_TYPE_NAMES[kind],
            "careerStarter": False,
            "productCode": code,
        }
        if kind in (2, 4):
            product["qualificationCategory"] = ENTRY_CATEGORY
        if kind == 6:
            product["status"] = 1
            product["statusName"] = PRODUCT_STATUSES[1]
        self.products[code] = product
        shelf.append(code)
        return product

    def products_for(self, o: Occupation) -> list[dict]:
        rng = self.rng
        band = o.cluster.band
        chosen: dict[str, dict] = {}
        standard_status = {1: 1, 2: 2 if rng.random() < 0.5 else None, 3: None}.get(
            o.status, 6 if rng.random() < 0.5 else None
        )
        if standard_status:
            product = {
                "object": "Product",
                "name": o.standard_name,
                "level": o.level,
                "status": standard_status,
                "statusName": PRODUCT_STATUSES[standard_status],
                "type": 1,
                "typeName": PRODUCT_TYPE_NAMES[1],
                "careerStarter": o.level <= 3 and rng.random() < 0.05,
                "productCode": o.standard,
                "royal": False,
            }
            self.products.setdefault(o.standard, product)
            chosen[o.standard] = product
        if o.status == 3:
            return list(chosen.values())
        wanted: list[tuple[int, int]] = []  # (type, how many)
        if band == 1:
            if o.level == 3 and rng.random() < 0.35:
                wanted.append((3, rng.randint(1, 2)))
            if rng.random() < 0.5:
                wanted.append((4, rng.randint(1, 3)))
            if rng.random() < 0.12:
                wanted.append((5, 1))
        elif band == 2:
            if rng.random() < 0.85:
                wanted.append((2, rng.choice((1, 2, 3, 3, 4, 5, 6, 8))))
            if rng.random() < 0.08:
                wanted.append((6, rng.randint(1, 2)))
        elif rng.random() < 0.08:
            wanted.append((6, 1))
        for kind, count in wanted:
            for _ in range(count):
                product = self.product(kind, band, o.level)
                chosen.setdefault(product["productCode"], product)
        return list(chosen.values())

    def summary(self, o: Occupation) -> str:
        rng = self.rng
        noun = o.title.lower()
        target = rng.randint(*SUMMARY_LENGTH)
        sentences = (
            lambda: "This occupation is found across {}, wherever {} and {} matter.".format(
                rng.choice(SECTORS), *rng.sample(SUBJECTS, 2)
            ),
            lambda: (
                f"The broad purpose of the occupation is to {rng.choice(VERBS)} "
                f"{rng.choice(OBJECTS)} so that {rng.choice(OUTCOMES)}."
            ),
            lambda: (
                "In their daily work, an employee in this occupation interacts with "
                "{} and {}.".format(*rng.sample(PEOPLE, 2))
            ),
            lambda: (
                f"{_cap(_a(noun))} may {rng.choice(VERBS)} {rng.choice(OBJECTS)}, "
                f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} and {rng.choice(VERBS)} "
                f"{rng.choice(OBJECTS)} in a {rng.choice(PLACES)} or on site."
            ),
            lambda: (
                f"An employee in this occupation will be responsible for making sure that "
                f"{rng.choice(OUTCOMES)}, working within {rng.choice(CONSTRAINTS)}."
            ),
            lambda: (
                f"They usually report to {_a(rng.choice(SUBJECTS))} "
                f"{rng.choice(ROLES[min(3, o.cluster.band + 1)])} and may lead a small team."
            ),
            lambda: (
                "The work changes as {} and {} methods develop, so they keep their "
                "knowledge up to date.".format(*rng.sample(SUBJECTS, 2))
            ),
        )
        paragraphs: list[str] = []
        length = 0
        while length < target:
            if paragraphs and rng.random() < 0.12:
                items = "".join(
                    f"<li>{_cap(rng.choice(VERBS))} {rng.choice(OBJECTS)}</li>"
                    for _ in range(rng.randint(3, 6))
                )
                paragraph = f"<ul>{items}</ul>"
            else:
                text = " ".join(rng.choice(sentences)() for _ in range(rng.randint(2, 5)))
                if rng.random() < 0.05:
                    text += "&nbsp;"
                if rng.random() < 0.05:
                    text = f"<strong>{text}</strong>"
                paragraph = f"<p>{text}</p>"
            if paragraphs and length + len(paragraph) > SUMMARY_LENGTH[1]:
                break
            paragraphs.append(paragraph)
            length += len(paragraph) + 1
        return "\n".join(paragraphs)

    def job_titles(self, o: Occupation, green: bool) -> list[dict]:
        rng = self.rng
        base = o.title.split(" - ")[-1]
        names = {_cap(base): False}
        for _ in range(rng.choice((1, 2, 3, 4, 5, 6, 8, 12))):
            role = rng.choice(ROLES[o.cluster.band])
            names.setdefault(
                _cap(f"{rng.choice(MODIFIERS).lower()} {rng.choice(SUBJECTS)} {role}"), False
            )
        if green or rng.random() < 0.03:
            names[f"{rng.choice(GREEN_WORDS)} {o.cluster.subject} {o.cluster.name.split()[-1]}"] = (
                True
            )
        return [{"name": name, "isGreen": is_green} for name, is_green in names.items()]

    def keywords(self, o: Occupation) -> list[str]:
        rng = self.rng
        words = {o.cluster.subject, *o.title.lower().replace(" - ", " ").split()[:3]}
        words.update(rng.sample(SUBJECTS, rng.randint(2, 6)))
        keywords = sorted(words - {"and"})
        if rng.random() < 0.03:  # the source's typos
            i = rng.randrange(len(keywords))
            word = keywords[i]
            if len(word) > 3:
                cut = rng.randrange(1, len(word) - 1)
                keywords[i] = word[:cut] + word[cut + 1 :]
        if rng.random() < 0.05:
            keywords.append("Maths")
        return keywords

    def soc(self, o: Occupation) -> dict:
        rng = self.rng
        unmapped = 0.5 if o.status == 3 else 0.06
        soc: dict = {}
        code = o.cluster.soc2010 if rng.random() < 0.6 else rng.choice(list(self.soc2010))
        if rng.random() < unmapped:
            soc.update(soc2010Code=0, soc2010Description="")
        else:
            soc.update(soc2010Code=int(code), soc2010Description=self.soc2010[code])
        units = list(self.soc2020)
        code = o.cluster.soc2020 if rng.random() < 0.6 else rng.choice(units)
        if rng.random() < unmapped:
            soc.update(soc2020Code=0, soc2020Description="")
            return soc
        soc.update(soc2020Code=int(code), soc2020Description=self.soc2020[code])
        own = list(self.sub_unit_groups[code])
        primary = rng.choice(own)
        groups = {primary: True}
        for _ in range(rng.choices((0, 1, 2, 3, 4), (20, 25, 25, 25, 5))[0]):
            # Most in the occupation's own unit group; the published data has others too.
            unit = code if rng.random() < 0.4 else rng.choice(units)
            groups.setdefault(rng.choice(list(self.sub_unit_groups[unit])), False)
        soc["soc2020SubUnitGroups"] = [
            {"code": sug, "description": self.sug_title(sug), "isPrimary": is_primary}
            for sug, is_primary in groups.items()
        ]
        return soc

    def sug_title(self, code: str) -> str:
        return self.sub_unit_groups[code[:4]][code]

    def status_date(self, o: Occupation) -> str:
        if o.status == 3 or (o.status == 2 and self.rng.random() < 0.5):
            return "0001-01-01"  # the source's "unknown"
        return (date(2014, 9, 1) + timedelta(days=self.rng.randint(0, 4100))).isoformat()

    def version(self, o: Occupation) -> str:
        if o.status == 3:
            return "0.0"
        if o.status == 2:
            return "0.1"
        return self.rng.choice(("1.0", "1.0", "1.1", "1.2", "1.3", "2.0"))

    def quirky(self, title: str) -> str:
        roll = self.rng.random()
        if roll < 0.01:
            return title + " "
        if roll < 0.015:
            return title.replace(" ", "  ", 1)
        if roll < 0.02:
            return title.replace(" - ", " \u2011 ", 1)
        return title

    def files(self):
        """Yield (relative path, document) for every file of the snapshot."""
        rng = self.rng
        yield (
            "routes.json",
            [
                {"object": "Route", "routeId": r.route_id, "name": r.name, "sequence": r.sequence}
                for r in sorted(self.routes, key=lambda r: r.sequence)
            ],
        )
        yield "green-themes.json", self.themes
        neighbours: dict[int, list[int]] = {}
        for a, b in sorted(self.pairs):
            neighbours.setdefault(a, []).append(b)
            neighbours.setdefault(b, []).append(a)
        heads = {}
        for o in self.occupations:
            o.date = self.status_date(o)
            o.version_no = self.version(o)
            o.name = self.quirky(o.title)
            heads[o.index] = {
                "object": "Occupation",
                "stdCode": o.code,
                "name": o.name,
                "status": o.status,
                "statusName": STATUS_NAMES[o.status],
                "level": o.level,
                "versionNo": o.version_no,
                "statusLastUpdated": o.date,
            }
        theme_ids = [t["themeId"] for t in self.themes]
        for o in self.occupations:
            cluster, pathway = o.cluster, o.cluster.pathway
            route = pathway.route
            potential_and_bare = o.status == 3 and rng.random() < 0.7
            green = rng.random() < 0.15
            themes = sorted(rng.sample(theme_ids, rng.choice((1, 1, 2)))) if green else []
            linked = sorted(neighbours.get(o.index, []), key=lambda i: heads[i]["name"].lower())
            record = {
                **heads[o.index],
                "summary": "" if potential_and_bare else self.summary(o),
                "overview": ""
                if potential_and_bare
                else _cap(
                    f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} and {rng.choice(VERBS)} "
                    f"{rng.choice(OBJECTS)} so that {rng.choice(OUTCOMES)}."
                ),
                "involvedEmployers": ""
                if potential_and_bare
                else ", ".join(self.company() for _ in range(rng.randint(3, 15))),
                "keywords": [] if potential_and_bare else self.keywords(o),
                "typicalJobTitles": [] if potential_and_bare else self.job_titles(o, green),
                "soc": self.soc(o),
                "mapHierarchy": {
                    "routeId": route.route_id,
                    "routeName": route.name,
                    "routeSequence": route.sequence,
                    "pathwayId": pathway.pathway_id,
                    "pathwayName": pathway.name,
                    "clusterGroupId": cluster.row_id,
                    "clusterId": cluster.cluster_id,
                    "clusterName": cluster.name,
                    "technicalLevel": cluster.band,
                    "technicalLevelName": BAND_NAMES[cluster.band],
                    "pathwaySequence": pathway.sequence,
                    "clusterGroupSequence": cluster.row_sequence,
                    "clusterSeqeunce": cluster.band - 1,  # sic: the API's spelling
                },
                "products": self.products_for(o),
                "links": self.links(o, bool(linked)),
                "greenThemeIds": themes,
                "progression": [heads[i] for i in linked],
            }
            if not record["products"]:
                del record["products"]  # the source leaves empty fields out
            if not record["keywords"]:
                del record["keywords"]
            if not record["typicalJobTitles"]:
                del record["typicalJobTitles"]
            yield f"{route.slug}/{o.code}.json", record

    def links(self, o: Occupation, progression: bool) -> list[dict]:
        route = o.cluster.pathway.route
        links = [
            {"rel": "occupationStandardAPI", "href": f"{API}/occupations/{o.code}"},
            {"rel": "routeAPI", "href": f"{API}/routes/{route.route_id}"},
            {"rel": "occupationalStandardURL", "href": f"{SITE}/maps/occupation/{o.code}"},
            {"rel": "occupationalMapURL", "href": f"{SITE}/maps/route/{route.slug}"},
        ]
        if progression:
            links += [
                {
                    "rel": "occupationalProgressionAPI",
                    "href": f"{API}/occupationalprogression/{o.code}",
                },
                {
                    "rel": "occupationalProgressionURL",
                    "href": f"{SITE}/maps/progression-map/{o.code}",
                },
            ]
        return links

    def counts(self, files: int, product_links: int, sugs: set[str]) -> dict:
        largest = max(self.routes, key=lambda r: r.size)
        used = {o.cluster for o in self.occupations}
        return {
            "files": files,
            "routes": len(self.routes),
            "pathways": len({c.pathway.pathway_id for c in used}),
            "cluster_rows": len({c.row_id for c in used}),
            "clusters": len(used),
            "occupations": len(self.occupations),
            "statuses": dict(sorted(Counter(o.status for o in self.occupations).items())),
            "levels": dict(sorted(Counter(o.level for o in self.occupations).items())),
            "progression_pairs": len(self.pairs),
            "cross_route_pairs": self.cross_route,
            "products": len(self.products),
            "products_by_type": dict(
                sorted(Counter(p["type"] for p in self.products.values()).items())
            ),
            "product_links": product_links,
            "green_themes": len(self.themes),
            "sub_unit_groups": len(sugs),
            "largest_route": {
                "routeId": largest.route_id,
                "name": largest.name,
                "slug": largest.slug,
                "occupations": largest.size,
            },
        }


def write_snapshot(folder: Path, *, seed: int = 1, occupations: int = FULL) -> dict:
    """Write a snapshot of ``occupations`` occupations into ``folder`` (made if missing, and
    expected to hold no JSON yet); return the counts of what it wrote."""
    folder = Path(folder)
    if folder.is_dir() and any(folder.rglob("*.json")):
        raise FileExistsError(f"{folder} already holds JSON files: give an empty folder")
    generator = Generator(seed, occupations)
    files = 0
    product_links = 0
    sugs: set[str] = set()
    made: set[Path] = set()
    for relative, document in generator.files():
        path = folder / relative
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_text(json.dumps(document, separators=(",", ":")), encoding="utf-8")
        files += 1
        if isinstance(document, dict):
            product_links += len(document.get("products", []))
            sugs.update(g["code"] for g in document["soc"].get("soc2020SubUnitGroups", []))
    return generator.counts(files, product_links, sugs)


class Snapshot(NamedTuple):
    folder: Path
    counts: dict


def generate(tmp_dir: Path, *, occupations: int = SMALL, seed: int = 1) -> Snapshot:
    """For tests: write a snapshot into ``tmp_dir / "snapshot"``; ``occupations=FULL`` for the
    national scale. ``counts["largest_route"]["slug"]`` names the biggest route map."""
    folder = Path(tmp_dir) / "snapshot"
    return Snapshot(folder, write_snapshot(folder, seed=seed, occupations=occupations))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", type=Path, help="folder to write (made if missing; empty)")
    parser.add_argument("--occupations", type=int, default=FULL, help=f"default {FULL}")
    parser.add_argument("--seed", type=int, default=1, help="default 1")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        counts = write_snapshot(args.output, seed=args.seed, occupations=args.occupations)
    except (FileExistsError, ValueError) as exc:
        parser.error(str(exc))
    seconds = time.perf_counter() - started
    print(json.dumps(counts, indent=2))
    print(f"Wrote {counts['files']} files to {args.output} in {seconds:.2f} s.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
