"""Writing checked SOC data in one transaction: groups, sub-unit groups, index pairs."""

from __future__ import annotations

from collections import Counter

from core import textsearch
from core.importing import ImportOutcome, SyncResult, delete_in_batches, keyed, sync_rows
from importers.soc.data import LEVEL_NAMES, LEVELS, Level, SocData
from socmapping.models import (
    SocGroup,
    SocIndexEntry,
    SocIndexPair,
    SocMapping,
    SubUnitGroup,
    SubUnitGroupMapping,
)


class SocWriter:
    """Writes checked :class:`SocData` to the database. Call inside a transaction."""

    def __init__(self, data: SocData, *, prune: bool = False):
        self.data = data
        self.prune = prune
        self.outcome = ImportOutcome(main="SOC groups")

    def write(self) -> ImportOutcome:
        self.outcome.notes.extend(self.data.notes)
        groups, existing_groups, desired_groups = self.write_groups()
        removals = []
        if self.data.index is not None:
            existing_subs, desired_subs = self.write_sub_unit_groups(groups)
            existing_pairs, desired_pairs = self.write_pairs(groups)
            self.write_entries(groups)
            removals = [
                ("index pairs", SocIndexPair, existing_pairs, desired_pairs),
                ("sub-unit groups", SubUnitGroup, existing_subs, desired_subs),
            ]
        if self.prune:
            for name, model, existing, desired in removals:
                self.remove_missing(name, model, existing, desired)
            self.remove_missing_groups(existing_groups, desired_groups)
        return self.outcome

    def write_groups(self):
        """Upsert the groups a level at a time, so that each level's parents have their ids."""
        existing = keyed(SocGroup.objects.all(), lambda g: (g.version, g.code))
        wanted, parents = self.desired_groups(existing)
        saved = dict(existing)
        total = self.outcome.add("SOC groups", SyncResult())
        for level in LEVELS:
            desired = {}
            for key, values in wanted[level].items():
                parent = parents.get(key)
                if parent is not None:
                    values = {**values, "parent_id": saved[parent].pk if parent in saved else None}
                desired[key] = values
            result = sync_rows(SocGroup, desired, existing, delete_missing=False)
            saved.update(result.objects)
            total.created += result.created
            total.updated += result.updated
            total.unchanged += result.unchanged
        desired_keys = {key for level in LEVELS for key in wanted[level]}
        return saved, existing, desired_keys

    def desired_groups(self, existing):
        """Field values by level and key, and the key of each group's parent."""
        wanted: dict[str, dict] = {level: {} for level in LEVELS}
        parents: dict[tuple[int, str], tuple[int, str]] = {}
        for version, groups in self.data.groups.items():
            for code, group in groups.items():
                key = (version, code)
                values = {"version": version, "code": code, "level": group.level, **group.fields}
                if group.level == Level.MAJOR:
                    values["parent_id"] = None
                else:
                    parents[key] = (version, code[:-1])
                wanted[group.level][key] = values
        index = self.data.index
        if index is None:
            return wanted, parents
        unlinked = Counter()
        for version, units in index.units.items():
            if version in self.data.groups:
                continue  # the structure read with the index has them (checked)
            for code in units:
                key = (version, code)
                parent = (version, code[:3])
                linkable = parent in existing and existing[parent].level == Level.MINOR
                current = existing.get(key)
                if current is None:
                    values = {
                        "version": version,
                        "code": code,
                        "level": Level.UNIT,
                        "title": index.unit_title(version, code),
                    }
                    if linkable:
                        parents[key] = parent
                else:
                    # Only fill in: the structure files' titles are better than the index's.
                    values = {}
                    if not current.title:
                        values["title"] = index.unit_title(version, code)
                    if current.parent_id is None and linkable:
                        parents[key] = parent
                if key not in parents and (current is None or current.parent_id is None):
                    unlinked[version] += 1
                wanted[Level.UNIT][key] = values
        for version, count in sorted(unlinked.items()):
            self.outcome.notes.append(
                f"{count} SOC {version} unit group(s) from the coding index have no minor group "
                f"in the database to belong to: import the SOC {version} structure to link them"
            )
        return wanted, parents

    def write_sub_unit_groups(self, groups):
        existing = keyed(SubUnitGroup.objects.all(), lambda s: s.code)
        desired = {
            code: {
                "code": code,
                "title": titles.winner(),
                "unit_group_id": groups[(2020, code[:4])].pk,
            }
            for code, titles in self.data.index.sub_unit_groups.items()
        }
        self.outcome.add(
            "sub-unit groups", sync_rows(SubUnitGroup, desired, existing, delete_missing=False)
        )
        return existing, set(desired)

    def write_pairs(self, groups):
        existing = keyed(SocIndexPair.objects.all(), lambda p: (p.soc2010_id, p.soc2020_id))
        desired = {}
        for (soc2010, soc2020), entries in self.data.index.pairs.items():
            ids = (groups[(2010, soc2010)].pk, groups[(2020, soc2020)].pk)
            desired[ids] = {"soc2010_id": ids[0], "soc2020_id": ids[1], "index_entries": entries}
        self.outcome.add(
            "index pairs", sync_rows(SocIndexPair, desired, existing, delete_missing=False)
        )
        return existing, set(desired)

    def write_entries(self, groups) -> None:
        """The index's job titles: created in bulk, and with --prune the ones the index no longer
        has deleted in bulk (an entry is its key, so none is ever updated)."""
        subs = dict(SubUnitGroup.objects.values_list("code", "pk"))
        desired = {}
        for title, unit, sub in self.data.index.entries:
            key = (title, groups[(2020, unit)].pk, subs[sub] if sub else None)
            desired[key] = title
        existing = {
            (title, unit_id, sub_id): pk
            for pk, title, unit_id, sub_id in SocIndexEntry.objects.values_list(
                "pk", "title", "unit_group_id", "sub_unit_group_id"
            )
        }
        new = [
            SocIndexEntry(
                title=title,
                unit_group_id=key[1],
                sub_unit_group_id=key[2],
                search_document=textsearch.document(title),
            )
            for key, title in desired.items()
            if key not in existing
        ]
        SocIndexEntry.objects.bulk_create(new, batch_size=2000)
        gone = [pk for key, pk in existing.items() if key not in desired] if self.prune else []
        delete_in_batches(SocIndexEntry, gone, batch_size=2000)
        result = SyncResult(created=len(new), deleted=len(gone))
        result.unchanged = len(desired) - len(new)
        self.outcome.add("index entries", result)

    # --prune: remove what the import lacks, keeping what occupations are still mapped to.
    def remove_missing(self, name, model, existing, desired) -> None:
        """Delete the ``model`` rows the source no longer has (counted under ``name``)."""
        gone = {key: obj.pk for key, obj in existing.items() if key not in desired}
        if model is SubUnitGroup:
            mapped = set(
                SubUnitGroupMapping.objects.filter(sub_unit_group_id__in=gone.values())
                .values_list("sub_unit_group_id", flat=True)
                .distinct()
            )
            for code in sorted(code for code, pk in gone.items() if pk in mapped):
                self.outcome.notes.append(
                    f"Kept sub-unit group {code}: not in the coding index, but occupations are "
                    "mapped to it"
                )
                del gone[code]
        delete_in_batches(model, list(gone.values()))
        self.outcome.counts[name].deleted = len(gone)

    def remove_missing_groups(self, existing, desired) -> None:
        """Only the versions whose structure was read are pruned."""
        gone = {
            key: obj
            for key, obj in existing.items()
            if key[0] in self.data.groups and key not in desired
        }
        ids = [obj.pk for obj in gone.values()]
        mapped = set()
        for column in ("soc2010_id", "soc2020_id"):
            mapped |= set(
                SocMapping.objects.filter(**{f"{column}__in": ids}).values_list(column, flat=True)
            )
        holding = set(
            SubUnitGroup.objects.filter(unit_group_id__in=ids).values_list(
                "unit_group_id", flat=True
            )
        )
        for key in sorted(gone):
            obj = gone[key]
            reason = (
                "occupations are mapped to it"
                if obj.pk in mapped
                else "it has sub-unit groups"
                if obj.pk in holding
                else ""
            )
            if reason:
                self.outcome.notes.append(
                    f"Kept SOC {key[0]} {LEVEL_NAMES.get(obj.level, obj.level)} {key[1]}: not in "
                    f"the import, but {reason}"
                )
                del gone[key]
        delete_in_batches(SocGroup, [obj.pk for obj in gone.values()])
        self.outcome.counts["SOC groups"].deleted = len(gone)
