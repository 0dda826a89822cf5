"""Writing each occupation's lists (job titles, products, green themes, SOC mappings,
progression, staff edits): each list is replaced by the one method that owns it."""

from __future__ import annotations

from django.db.models import Q

from core.importing import SyncResult, delete_in_batches, keyed, sync_rows
from core.problems import Problem
from importers.codes import UNLINKED_GREEN_THEME, UNLINKED_PROGRESSION
from importers.maps.data import User
from occupations.models import (
    LocalEdit,
    Occupation,
    OccupationProduct,
    Progression,
    TypicalJobTitle,
    UnloadedProgression,
)
from socmapping.models import (
    SocMapping,
    SubUnitGroupMapping,
)


class OccupationListsWriter:
    """The half of :class:`MapsWriter` that replaces an occupation's lists."""

    def _replace_children(
        self, name, model, desired_rows, compare, edit_field="", existing_rows=None
    ) -> set[int]:
        """Make each imported occupation's rows of ``model`` the ``desired_rows`` (occupation id
        → list of field dicts), replacing an occupation's rows only where they differ. Lists
        that staff edited (``edit_field``) are kept as they are."""
        if existing_rows is None:
            existing_rows = self._existing_by_owner(
                model.objects.filter(occupation_id__in=list(desired_rows)), "occupation_id"
            )
        result = SyncResult()
        changed: set[int] = set()
        stale: list[int] = []
        new: list = []
        for owner, rows in desired_rows.items():
            have = existing_rows.get(owner, [])
            incoming = sorted(map(compare, rows))
            staff = sorted(compare(vars(obj)) for obj in have)
            if edit_field and edit_field in self.kept.get(owner, ()):
                if staff != incoming:
                    self.report_kept(self.codes[owner], edit_field, staff, incoming)
                result.unchanged += len(have)
                continue
            if incoming == staff:
                result.unchanged += len(rows)
                continue
            changed.add(owner)
            stale.extend(obj.pk for obj in have)
            new.extend(model(**row) for row in rows)
        delete_in_batches(model, stale)
        model.objects.bulk_create(new, batch_size=500)
        result.created = len(new)
        result.deleted = len(stale)
        self.outcome.add(name, result)
        return changed

    def _existing_by_owner(self, queryset, owner_attr: str) -> dict[int, list]:
        grouped: dict[int, list] = {}
        for obj in queryset:
            grouped.setdefault(getattr(obj, owner_attr), []).append(obj)
        return grouped

    def write_job_titles(self, ids) -> set[int]:
        desired = {
            ids[code]: [
                {"occupation_id": ids[code], "name": name, "is_green": green, "sequence": n}
                for n, (name, green) in enumerate(occupation.job_titles)
            ]
            for code, occupation in self.data.occupations.items()
        }
        return self._replace_children(
            "job titles",
            TypicalJobTitle,
            desired,
            lambda r: (r["name"], r["is_green"], r["sequence"]),
            edit_field=LocalEdit.Field.JOB_TITLES,
        )

    def write_product_links(self, ids, products) -> set[int]:
        desired = {
            ids[code]: [
                {"occupation_id": ids[code], "product_id": products[p].pk, "name": name}
                for p, name in occupation.products
            ]
            for code, occupation in self.data.occupations.items()
        }
        return self._replace_children(
            "product links",
            OccupationProduct,
            desired,
            lambda r: (r["product_id"], r["name"]),
            edit_field=LocalEdit.Field.PRODUCTS,
        )

    def write_green_themes(self, ids, themes) -> set[int]:
        through = Occupation.green_themes.through
        desired = {}
        for code, occupation in self.data.occupations.items():
            rows = []
            for theme_id in occupation.green_theme_ids:
                theme = themes.get(theme_id)
                if theme is None:
                    self.unresolved.append(
                        Problem(
                            occupation.where,
                            f"greenThemeIds: {theme_id}: no such green theme in the import or "
                            "the database; not linked",
                            code=UNLINKED_GREEN_THEME,
                            value={"occupation": code, "green_theme": theme_id},
                        )
                    )
                    continue
                rows.append({"occupation_id": ids[code], "greentheme_id": theme.pk})
            desired[ids[code]] = rows
        return self._replace_children(
            "green theme links",
            through,
            desired,
            lambda r: r["greentheme_id"],
            edit_field=LocalEdit.Field.GREEN_THEMES,
        )

    def write_soc_mappings(self, ids, soc) -> set[int]:
        existing = self._existing_by_owner(
            SocMapping.objects.filter(occupation_id__in=ids.values()), "occupation_id"
        )
        codes = {group.pk: group.code for group in soc.values()}
        desired = {}
        for code, occupation in self.data.occupations.items():
            owner = ids[code]
            current = existing.get(owner, [None])[0]
            incoming = {
                "soc2010_id": soc[(2010, occupation.soc2010)].pk if occupation.soc2010 else None,
                "soc2020_id": soc[(2020, occupation.soc2020)].pk if occupation.soc2020 else None,
            }
            for edit_field, name in (("soc2010", "soc2010_id"), ("soc2020", "soc2020_id")):
                if edit_field in self.kept.get(owner, ()):
                    staff = getattr(current, name) if current else None
                    if staff != incoming[name]:
                        self.report_kept(
                            code, edit_field, codes.get(staff, staff), codes.get(incoming[name])
                        )
                    incoming[name] = staff
            has_any = incoming["soc2010_id"] or incoming["soc2020_id"]
            desired[owner] = [{"occupation_id": owner, **incoming}] if has_any else []
        return self._replace_children(
            "SOC mappings",
            SocMapping,
            desired,
            lambda r: (r["soc2010_id"] or 0, r["soc2020_id"] or 0),
            existing_rows=existing,
        )

    def write_sub_unit_group_mappings(self, ids, sub_unit_groups) -> set[int]:
        desired = {
            ids[code]: [
                {
                    "occupation_id": ids[code],
                    "sub_unit_group_id": sub_unit_groups[sug].pk,
                    "is_primary": primary,
                }
                for sug, primary in occupation.sub_unit_groups
            ]
            for code, occupation in self.data.occupations.items()
        }
        return self._replace_children(
            "sub-unit group mappings",
            SubUnitGroupMapping,
            desired,
            lambda r: (r["sub_unit_group_id"], r["is_primary"]),
            edit_field=LocalEdit.Field.SUB_UNIT_GROUPS,
        )

    def write_progression(self, ids) -> set[int]:
        """One link per pair. Snapshot neighbours have no direction: stored from the lower level
        to the higher (then by code); the live API's directed edges keep their direction."""
        occupations = self.data.occupations
        known = dict(ids)
        outside = {
            n
            for occupation in occupations.values()
            for n in occupation.neighbours
            if n not in known
        } | {code for edge in self.data.edges for code in edge if code not in known}
        levels = {code: o.fields["level"] for code, o in occupations.items()}
        for other in Occupation.objects.filter(code__in=outside).values("pk", "code", "level"):
            known[other["code"]] = other["pk"]
            levels[other["code"]] = other["level"]
        desired: dict[frozenset, dict] = {}
        unloaded: dict[int, list[dict]] = {ids[code]: [] for code in occupations}
        for code, occupation in occupations.items():
            for other in occupation.neighbours:
                if other not in known:
                    self.unresolved.append(
                        Problem(
                            f"progression {code} – {other}",
                            f"{other} is not in the import or the database; kept as a link "
                            "to an occupation not loaded",
                            code=UNLINKED_PROGRESSION,
                            value={"from": code, "to": other, "missing": other},
                        )
                    )
                    unloaded[ids[code]].append(
                        {
                            "occupation_id": ids[code],
                            "code": other,
                            **occupation.neighbour_details.get(other, {"title": ""}),
                        }
                    )
                    continue
                low, high = sorted([code, other], key=lambda c: (levels[c], c))
                desired.setdefault(
                    frozenset((known[low], known[high])),
                    {
                        "from_occupation_id": known[low],
                        "to_occupation_id": known[high],
                        "directed": False,
                    },
                )
        for (start, end), flags in sorted(self.data.edges.items()):
            if start not in known or end not in known:
                missing = start if start not in known else end
                self.unresolved.append(
                    Problem(
                        f"progression {start} → {end}",
                        f"{missing} is not in the import or the database; not linked",
                        code=UNLINKED_PROGRESSION,
                        value={"from": start, "to": end, "missing": missing},
                    )
                )
                continue
            desired[frozenset((known[start], known[end]))] = {
                "from_occupation_id": known[start],
                "to_occupation_id": known[end],
                **flags,
            }
        imported = list(ids.values())
        existing = keyed(
            Progression.objects.filter(
                Q(from_occupation_id__in=imported) | Q(to_occupation_id__in=imported)
            ),
            lambda p: frozenset((p.from_occupation_id, p.to_occupation_id)),
        )
        # Links staff added stay; so do all the links of an occupation whose links they edited.
        frozen = {
            owner for owner, fields in self.kept.items() if LocalEdit.Field.PROGRESSION in fields
        }
        for key, link in list(existing.items()):
            if link.added_by_staff or key & frozen:
                del existing[key]
                desired.pop(key, None)
        for key in [key for key in desired if key & frozen]:
            del desired[key]
        if frozen:
            for owner in sorted(frozen):
                self.outcome.kept_edits.append(
                    f"Kept local edit: {self.codes[owner]} progression: its links were edited "
                    "by staff and are left as they are"
                )
        result = sync_rows(Progression, desired, existing, delete_missing=True)
        self.outcome.add("progression links", result)
        changed: set[int] = self._replace_children(
            "links to occupations not loaded",
            UnloadedProgression,
            unloaded,
            lambda r: (r["code"], r["title"], r["level"] or 0, r["status"] or 0),
            edit_field=LocalEdit.Field.PROGRESSION,
        )
        for key in result.changed_keys:
            changed |= set(key)
        for key in existing:
            if key not in desired:
                changed |= set(key)
        return changed & set(imported)

    def write_local_edits(self, ids) -> None:
        """Staff edits listed in this site's own export become local edits here too."""
        if not self.data.local_edits:
            return
        users = dict(
            User.objects.filter(
                username__in={who for *_, who in self.data.local_edits if who}
            ).values_list("username", "pk")
        )
        desired = {
            (ids[code], name): {
                "occupation_id": ids[code],
                "field": name,
                "edited_at": when,
                "edited_by_id": users.get(who),
            }
            for code, name, when, who in self.data.local_edits
            if code in ids
        }
        existing = keyed(
            LocalEdit.objects.filter(occupation_id__in=ids.values()),
            lambda e: (e.occupation_id, e.field),
        )
        existing = {k: v for k, v in existing.items() if k in desired}
        self.outcome.add(
            "local edits", sync_rows(LocalEdit, desired, existing, delete_missing=False)
        )

    def count_child_changes(self, occupations, ids, changed: set[int]) -> None:
        """An occupation whose own fields did not change but whose lists did is updated too."""
        result = self.outcome.counts["occupations"]
        already = {occupations[code].pk for code in result.changed_keys if code in occupations}
        extra = len((changed & set(ids.values())) - already)
        result.updated += extra
        result.unchanged -= extra
