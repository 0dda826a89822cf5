"""The synthetic map's documents: each occupation's API record (products, summary, job
titles, keywords, SOC codes, links), the routes and green themes, and the counts."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from benchmarks.snapshot_map import MapMaker, Occupation
from benchmarks.snapshot_shape import (
    API,
    BAND_NAMES,
    CONSTRAINTS,
    ENTRY_CATEGORY,
    GREEN_WORDS,
    MODIFIERS,
    OBJECTS,
    OUTCOMES,
    PEOPLE,
    PLACES,
    PRODUCT_STATUSES,
    PRODUCT_TYPE_NAMES,
    QUALIFICATION_FORMS,
    ROLES,
    SECTORS,
    SITE,
    STATUS_NAMES,
    SUBJECTS,
    SUMMARY_LENGTH,
    VERBS,
    _a,
    _cap,
)


class Generator(MapMaker):
    """Builds the whole snapshot in memory; :meth:`files` yields what to write."""

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
