"""The database itself refuses what the map must never hold: each case starts from a real record
of the bundled data and changes the one thing it is about."""

import pytest
from django.db import IntegrityError, transaction

from occupations.models import Occupation, Product, Progression
from routes.models import Cluster, ClusterGroup, TechnicalBand
from socmapping.models import SocGroup, SubUnitGroup, SubUnitGroupMapping

pytestmark = pytest.mark.usefixtures("bundled")


def refused(callable_):
    with pytest.raises(IntegrityError), transaction.atomic():
        callable_()


def copy_of(record):
    """An unsaved copy of a real record (the same values, no primary key)."""
    record.pk = None
    record._state.adding = True
    return record


def analyst() -> Occupation:
    return Occupation.objects.get(code="OCC0118")


def test_level_outside_2_to_7_is_refused():
    occupation = analyst()
    for level in (1, 8, 9):
        refused(lambda level=level: Occupation.objects.filter(pk=occupation.pk).update(level=level))
    Occupation.objects.filter(pk=occupation.pk).update(level=7)
    assert Occupation.objects.get(pk=occupation.pk).level == 7


def test_unknown_status_is_refused():
    occupation = analyst()
    refused(lambda: Occupation.objects.filter(pk=occupation.pk).update(status=7))


def test_duplicate_occupation_code_is_refused():
    refused(lambda: copy_of(analyst()).save())


def test_duplicate_product_code_is_refused():
    refused(lambda: copy_of(Product.objects.get(code="ST0118")).save())


def test_progression_to_itself_is_refused():
    occupation = analyst()
    refused(
        lambda: Progression.objects.create(from_occupation=occupation, to_occupation=occupation)
    )


def test_duplicate_progression_is_refused():
    link = Progression.objects.filter(from_occupation=analyst()).first()
    refused(
        lambda: Progression.objects.create(
            from_occupation=link.from_occupation, to_occupation=link.to_occupation
        )
    )


def test_cluster_band_outside_1_to_3_is_refused():
    refused(lambda: Cluster.objects.filter(pk=analyst().cluster_id).update(band=4))


def test_duplicate_soc_code_in_one_version_is_refused_but_allowed_across_versions():
    # 3544 is a unit group in both: SOC 2010 and SOC 2020 ("Data analysts").
    assert set(SocGroup.objects.filter(code="3544").values_list("version", flat=True)) == {
        2010,
        2020,
    }
    refused(lambda: copy_of(SocGroup.objects.get(version=2020, code="3544")).save())


def test_only_one_primary_sub_unit_group_per_occupation():
    # Data analyst: 3544/00 primary, 2433/04 not.
    mappings = SubUnitGroupMapping.objects.filter(occupation=analyst())
    assert sorted(mappings.values_list("sub_unit_group__code", "is_primary")) == [
        ("2433/04", False),
        ("3544/00", True),
    ]
    refused(lambda: mappings.filter(is_primary=False).update(is_primary=True))
    second = SubUnitGroup.objects.get(code="3544/00")
    assert second.mappings.filter(occupation=analyst(), is_primary=True).exists()


def test_band_of_a_level():
    assert [TechnicalBand.for_level(level) for level in range(2, 8)] == [1, 1, 2, 2, 3, 3]
    with pytest.raises(ValueError, match="no band holds level 9"):
        TechnicalBand.for_level(9)


def test_a_cluster_is_always_in_its_rows_pathway():
    cluster = analyst().cluster  # Digital Business Services
    elsewhere = Occupation.objects.get(code="OCC0116").cluster  # Software developer
    assert cluster.pathway_id != elsewhere.pathway_id
    refused(lambda: Cluster.objects.filter(pk=cluster.pk).update(pathway=elsewhere.pathway))
    refused(lambda: Cluster.objects.filter(pk=cluster.pk).update(row=elsewhere.row))
    # Row and pathway together is a move; and a row moved to another pathway takes its clusters.
    Cluster.objects.filter(pk=cluster.pk).update(row=elsewhere.row, pathway=elsewhere.pathway)
    ClusterGroup.objects.filter(pk=elsewhere.row_id).update(pathway=cluster.pathway)
    assert set(
        Cluster.objects.filter(row=elsewhere.row_id).values_list("pathway_id", flat=True)
    ) == {cluster.pathway_id}
