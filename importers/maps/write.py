"""Writing a checked maps source in one transaction: the map's structure, the SOC groups,
products and occupations (their lists are written by ``write_lists.py``)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.text import slugify

from core.importing import ImportOutcome, keyed, sync_rows
from core.problems import Problem
from importers.maps.data import MapData
from importers.maps.write_lists import OccupationListsWriter
from occupations.models import (
    GreenSubTheme,
    GreenTheme,
    LocalEdit,
    Occupation,
    Product,
)
from routes.models import Cluster, ClusterGroup, Pathway, Route
from socmapping.models import (
    SocGroup,
    SubUnitGroup,
)


class MapsWriter(OccupationListsWriter):
    """Writes checked :class:`MapData` to the database. Call inside a transaction."""

    def __init__(self, data: MapData, *, prune: bool = False, overwrite_edits: bool = False):
        self.data = data
        self.prune = prune
        self.overwrite_edits = overwrite_edits
        self.outcome = ImportOutcome(main="occupations", data_date=data.data_date)
        self.unresolved: list[Problem] = []
        # Occupation id → the fields staff edited, which this import keeps.
        self.kept: dict[int, set[str]] = {}
        self.codes: dict[int, str] = {}

    def write(self) -> ImportOutcome:
        routes = self.write_routes()
        pathways = self.write_pathways(routes)
        rows = self.write_rows(pathways)
        clusters = self.write_clusters(pathways, rows)
        themes = self.write_themes()
        soc = self.write_soc_groups()
        sub_unit_groups = self.write_sub_unit_groups(soc)
        products = self.write_products()
        occupations = self.write_occupations(clusters)
        ids = {code: occupations[code].pk for code in self.data.occupations}
        changed: set[int] = set()
        changed |= self.write_job_titles(ids)
        changed |= self.write_product_links(ids, products)
        changed |= self.write_green_themes(ids, themes)
        changed |= self.write_soc_mappings(ids, soc)
        changed |= self.write_sub_unit_group_mappings(ids, sub_unit_groups)
        changed |= self.write_progression(ids)
        self.count_child_changes(occupations, ids, changed)
        self.write_local_edits(ids)
        self.outcome.notes.extend(self.data.notes)
        self.outcome.notes.extend(self.unresolved)
        return self.outcome

    # The map structure.
    def write_routes(self) -> dict[int, Route]:
        existing = keyed(Route.objects.all(), lambda r: r.api_id)
        # A slug names one route: another route's slug gets this one's id added.
        taken = {r.slug: api_id for api_id, r in existing.items() if api_id not in self.data.routes}
        desired = {}
        for api_id, route in sorted(self.data.routes.items()):
            current = existing.get(api_id)
            slug = (
                self.data.route_slugs.get(api_id)
                or (current.slug if current else "")
                or slugify(route["name"])
                or f"route-{api_id}"
            )
            if taken.get(slug, api_id) != api_id:
                slug = f"{slug}-{api_id}"
            taken[slug] = api_id
            desired[api_id] = {
                "api_id": api_id,
                "name": route["name"],
                "sequence": route["sequence"],
                "slug": slug,
            }
        result = sync_rows(Route, desired, existing, delete_missing=self.prune)
        return self.outcome.add("routes", result).objects | {
            k: v for k, v in existing.items() if k not in desired and not self.prune
        }

    def write_pathways(self, routes) -> dict[int, Pathway]:
        existing = keyed(Pathway.objects.all(), lambda p: p.api_id)
        # A pathway's slug is its name's, unless another pathway of the route has it already.
        taken = {
            (p.route_id, p.slug): api_id
            for api_id, p in existing.items()
            if api_id not in self.data.pathways
        }
        desired = {}
        for api_id, p in sorted(self.data.pathways.items(), key=lambda item: item[1]["sequence"]):
            route_id = routes[p["route"]].pk
            slug = slugify(p["name"]) or f"pathway-{api_id}"
            if (route_id, slug) in taken:
                slug = f"{slug}-{api_id}"
            taken[(route_id, slug)] = api_id
            desired[api_id] = {
                "api_id": api_id,
                "route_id": route_id,
                "name": p["name"],
                "slug": slug,
                "sequence": p["sequence"],
            }
        return self._sync_structure("pathways", Pathway, desired, existing)

    def write_rows(self, pathways) -> dict[int, ClusterGroup]:
        existing = keyed(ClusterGroup.objects.all(), lambda r: r.api_id)
        desired = {
            api_id: {
                "api_id": api_id,
                "pathway_id": pathways[r["pathway"]].pk,
                "sequence": r["sequence"],
            }
            for api_id, r in self.data.rows.items()
        }
        return self._sync_structure("cluster rows", ClusterGroup, desired, existing)

    def write_clusters(self, pathways, rows) -> dict[int, Cluster]:
        existing = keyed(Cluster.objects.all(), lambda c: c.api_id)
        desired = {
            api_id: {
                "api_id": api_id,
                "pathway_id": pathways[c["pathway"]].pk,
                "row_id": rows[c["row"]].pk,
                "band": c["band"],
                "name": c["name"],
                "sequence": c["sequence"],
            }
            for api_id, c in self.data.clusters.items()
        }
        return self._sync_structure("clusters", Cluster, desired, existing)

    def _sync_structure(self, name, model, desired, existing) -> dict:
        # Without --prune a partial import leaves the rest of the map alone.
        result = sync_rows(model, desired, existing, delete_missing=self.prune)
        self.outcome.add(name, result)
        if self.prune:
            return result.objects
        return {**existing, **result.objects}

    def write_themes(self) -> dict[int, GreenTheme]:
        existing = keyed(GreenTheme.objects.all(), lambda t: t.theme_id)
        desired = {
            theme_id: {"theme_id": theme_id, "name": theme["name"]}
            for theme_id, theme in self.data.themes.items()
        }
        result = sync_rows(
            GreenTheme,
            desired,
            {k: v for k, v in existing.items() if k in desired},
            delete_missing=False,
        )
        self.outcome.add("green themes", result)
        themes = {**existing, **result.objects}
        existing_subs = keyed(
            GreenSubTheme.objects.filter(theme__theme_id__in=list(desired)),
            lambda s: (s.theme_id, s.sub_theme_id),
        )
        desired_subs = {
            (themes[theme_id].pk, sub_id): {
                "theme_id": themes[theme_id].pk,
                "sub_theme_id": sub_id,
                "name": name,
            }
            for theme_id, theme in self.data.themes.items()
            for sub_id, name in theme["sub_themes"].items()
        }
        self.outcome.add(
            "green sub-themes",
            sync_rows(GreenSubTheme, desired_subs, existing_subs, delete_missing=True),
        )
        return themes

    # SOC codes met in the occupations (titles from the occupation files; import_soc fills the
    # rest of the hierarchy and the ONS descriptions).
    def write_soc_groups(self) -> dict[tuple[int, str], SocGroup]:
        wanted = dict(self.data.soc_titles)
        for code in self.data.sub_unit_groups:
            wanted.setdefault((2020, code[:4]), "")
        # One condition per version (an OR per code outgrows SQLite's expression depth).
        codes = Q(pk__in=[])
        for version in {version for version, _ in wanted}:
            in_version = [code for v, code in wanted if v == version]
            codes |= Q(version=version, code__in=in_version)
        existing = keyed(SocGroup.objects.filter(codes), lambda g: (g.version, g.code))
        desired = {}
        for (version, code), title in wanted.items():
            current = existing.get((version, code))
            if current is None:
                desired[(version, code)] = {
                    "version": version,
                    "code": code,
                    "level": SocGroup.Level.UNIT,
                    "title": title,
                }
            elif not current.title and title:
                desired[(version, code)] = {"title": title}
        result = sync_rows(
            SocGroup,
            desired,
            {k: v for k, v in existing.items() if k in desired},
            delete_missing=False,
        )
        result.unchanged = len(existing) - result.updated
        self.outcome.add("SOC groups", result)
        return {**existing, **result.objects}

    def write_sub_unit_groups(self, soc) -> dict[str, SubUnitGroup]:
        wanted = self.data.sub_unit_groups
        existing = keyed(SubUnitGroup.objects.filter(code__in=list(wanted)), lambda s: s.code)
        desired = {}
        for code, title in wanted.items():
            current = existing.get(code)
            if current is None:
                desired[code] = {
                    "code": code,
                    "title": title,
                    "unit_group_id": soc[(2020, code[:4])].pk,
                }
            elif not current.title and title:
                desired[code] = {"title": title}
        result = sync_rows(
            SubUnitGroup,
            desired,
            {k: v for k, v in existing.items() if k in desired},
            delete_missing=False,
        )
        result.unchanged = len(existing) - result.updated
        self.outcome.add("sub-unit groups", result)
        return {**existing, **result.objects}

    def write_products(self) -> dict[str, Product]:
        queryset = Product.objects.all()
        if not self.prune:
            queryset = queryset.filter(code__in=list(self.data.products))
        existing = keyed(queryset, lambda p: p.code)
        result = sync_rows(Product, self.data.products, existing, delete_missing=self.prune)
        self.outcome.add("products", result)
        return result.objects

    def write_occupations(self, clusters) -> dict[str, Occupation]:
        queryset = Occupation.objects.all()
        if not self.prune:
            queryset = queryset.filter(code__in=list(self.data.occupations))
        existing = keyed(queryset, lambda o: o.code)
        desired = {
            code: {**occupation.fields, "cluster_id": clusters[occupation.cluster_id].pk}
            for code, occupation in self.data.occupations.items()
        }
        self.apply_local_edits(existing, desired, clusters)
        for values in desired.values():
            values["search_document"] = Occupation.make_search_document(
                values["title"], values.get("search_text", "")
            )
        if self.prune:
            removed = sorted(code for code in existing if code not in desired)
            if removed:
                self.outcome.notes.append(f"Removed occupations: {', '.join(removed)}")
        result = sync_rows(Occupation, desired, existing, delete_missing=self.prune)
        self.outcome.add("occupations", result)
        return result.objects

    def apply_local_edits(self, existing, desired, clusters) -> None:
        """Keep what staff edited (and report it), or with --overwrite-edits take the source's."""
        edits = LocalEdit.objects.filter(occupation__code__in=list(desired)).select_related(
            "occupation"
        )
        if self.overwrite_edits:
            dropped = [f"{e.occupation.code} {e.field}" for e in edits]
            if dropped:
                edits.delete()
                self.outcome.kept_edits.append(
                    f"Overwrote {len(dropped)} local edit(s) with the imported values: "
                    + ", ".join(sorted(dropped))
                )
            return
        cluster_ids = {c.pk: api_id for api_id, c in clusters.items()}
        for edit in edits:
            occupation = existing[edit.occupation.code]
            self.kept.setdefault(occupation.pk, set()).add(edit.field)
            self.codes[occupation.pk] = occupation.code
            name = "cluster_id" if edit.field == "cluster" else edit.field
            values = desired[occupation.code]
            if name not in values:
                continue  # one of the occupation's lists: kept where it is written
            staff, incoming = getattr(occupation, name), values[name]
            values[name] = staff
            if edit.field in {"keywords"}:
                values["search_text"] = occupation.search_text
            if staff != incoming:
                if name == "cluster_id":
                    staff, incoming = cluster_ids.get(staff, staff), cluster_ids.get(incoming)
                self.report_kept(occupation.code, edit.field, staff, incoming)

    def report_kept(self, code: str, field_name: str, staff, incoming) -> None:
        self.outcome.kept_edits.append(
            f"Kept local edit: {code} {field_name}: staff value {staff!r}, "
            f"imported value {incoming!r}"
        )

    # What belongs to each imported occupation: its rows are replaced when they differ.
