"""The synthetic map's skeleton: routes, pathways, clusters in rows across the bands,
occupations with their codes, green themes, SOC groups and progression pairs."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from itertools import accumulate

from benchmarks.snapshot_shape import (
    BAND_LEVELS,
    CLUSTERS,
    COMPANY_SUFFIXES,
    CROSS_ROUTE_SHARE,
    ENDINGS,
    FULL,
    GREEN_AREAS,
    GREEN_WORDS,
    ISOLATED_SHARE,
    LEVEL_WEIGHTS,
    MAX_OCCUPATIONS,
    MODIFIERS,
    PATHWAY_TAILS,
    PATHWAYS_PER_ROUTE,
    PLACES,
    POTENTIAL_ISOLATED_SHARE,
    PROGRESSION_PAIRS,
    ROLES,
    ROUTE_WEIGHTS,
    STATUS_WEIGHTS,
    SUBJECTS,
    SYLLABLES,
    VARIANT_GROUP_CHANCE,
    VERBS,
    _apportion,
    _cap,
    _slug,
)


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


class MapMaker:
    """The map's skeleton in memory: routes, pathways, clusters, occupations and their codes,
    green themes, SOC groups and progression pairs."""

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
