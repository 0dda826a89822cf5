"""Writing a checked mapping in the import's transaction."""

from __future__ import annotations

from core.importing import ImportOutcome, SyncResult, delete_in_batches, keyed, sync_rows
from core.problems import ImportRejected
from importers.soc_mapping.layout import (
    SOC2010,
)
from importers.soc_mapping.read import MappingFile
from socmapping.models import (
    SocMapping,
    SubUnitGroupMapping,
)


class MappingWriter:
    """Checks a read :class:`MappingFile` against the database and writes it. Call inside the
    import's lock and transaction (``run_import``): a problem raises :class:`ImportRejected`
    and nothing is kept."""

    def __init__(self, source: MappingFile):
        self.source = source

    def write(self) -> ImportOutcome:
        self.data, problems = self.source.check()
        if problems:
            raise ImportRejected(problems)
        if self.data.scheme == SOC2010:
            outcome = self.write_soc2010()
        else:
            outcome = self.write_sub_unit_groups()
        outcome.notes.extend(self.data.notes)
        return outcome

    def write_soc2010(self) -> ImportOutcome:
        # The summary line capitalises this name (and lowercases the rest): no "SOC" in it.
        outcome = ImportOutcome(main="unit group mappings")
        wanted = self.data.soc2010
        existing = keyed(
            SocMapping.objects.filter(occupation_id__in=list(wanted)), lambda m: m.occupation_id
        )
        desired = {
            occupation: {"occupation_id": occupation, "soc2010_id": group}
            for occupation, group in wanted.items()
        }
        outcome.add(
            "unit group mappings", sync_rows(SocMapping, desired, existing, delete_missing=False)
        )
        return outcome

    def write_sub_unit_groups(self) -> ImportOutcome:
        """Rows whose primary flag changes are deleted and made again, after every stale row is
        gone, so that the one-primary constraint holds at every step."""
        outcome = ImportOutcome(main="sub-unit group mappings")
        result = SyncResult()
        wanted = self.data.sub_unit_groups
        have: dict[int, dict[int, SubUnitGroupMapping]] = {}
        for mapping in SubUnitGroupMapping.objects.filter(occupation_id__in=list(wanted)):
            have.setdefault(mapping.occupation_id, {})[mapping.sub_unit_group_id] = mapping
        stale: list[int] = []
        new: list[SubUnitGroupMapping] = []
        for occupation, groups in wanted.items():
            current = have.get(occupation, {})
            for group, primary in groups.items():
                mapping = current.get(group)
                if mapping is not None and mapping.is_primary == primary:
                    result.unchanged += 1
                    continue
                if mapping is None:
                    result.created += 1
                else:
                    stale.append(mapping.pk)
                    result.updated += 1
                new.append(
                    SubUnitGroupMapping(
                        occupation_id=occupation, sub_unit_group_id=group, is_primary=primary
                    )
                )
            gone = [m.pk for group, m in current.items() if group not in groups]
            stale.extend(gone)
            result.deleted += len(gone)
        delete_in_batches(SubUnitGroupMapping, stale)
        SubUnitGroupMapping.objects.bulk_create(new, batch_size=500)
        outcome.add("sub-unit group mappings", result)
        return outcome
