"""The database itself refuses what the map must never hold."""

import pytest
from django.db import IntegrityError, transaction

from occupations.models import Occupation, Progression
from routes.models import TechnicalBand
from socmapping.models import SocGroup, SubUnitGroup, SubUnitGroupMapping
from tests.factories import make_cluster, make_occupation, make_product

pytestmark = pytest.mark.django_db


def refused(callable_):
    with pytest.raises(IntegrityError), transaction.atomic():
        callable_()


def test_level_outside_2_to_7_is_refused():
    occupation = make_occupation()
    for level in (1, 8, 9):
        refused(lambda level=level: Occupation.objects.filter(pk=occupation.pk).update(level=level))
    Occupation.objects.filter(pk=occupation.pk).update(level=7)
    assert Occupation.objects.get(pk=occupation.pk).level == 7


def test_unknown_status_is_refused():
    occupation = make_occupation()
    refused(lambda: Occupation.objects.filter(pk=occupation.pk).update(status=7))


def test_duplicate_occupation_code_is_refused():
    first = make_occupation(code="OCC0118")
    refused(lambda: make_occupation(code="OCC0118", cluster=first.cluster))


def test_duplicate_product_code_is_refused():
    make_product(code="ST0118")
    refused(lambda: make_product(code="ST0118"))


def test_progression_to_itself_is_refused():
    occupation = make_occupation()
    refused(
        lambda: Progression.objects.create(from_occupation=occupation, to_occupation=occupation)
    )


def test_duplicate_progression_is_refused():
    low = make_occupation(level=3)
    high = make_occupation(level=4)
    Progression.objects.create(from_occupation=low, to_occupation=high)
    refused(lambda: Progression.objects.create(from_occupation=low, to_occupation=high))


def test_cluster_band_outside_1_to_3_is_refused():
    refused(lambda: make_cluster(band=4))


def test_duplicate_soc_code_in_one_version_is_refused_but_allowed_across_versions():
    SocGroup.objects.create(version=2010, code="3544", level="unit", title="2010 group")
    SocGroup.objects.create(version=2020, code="3544", level="unit", title="Data analysts")
    refused(lambda: SocGroup.objects.create(version=2020, code="3544", level="unit", title="x"))


def test_only_one_primary_sub_unit_group_per_occupation():
    occupation = make_occupation()
    unit = SocGroup.objects.create(version=2020, code="3544", level="unit", title="Data analysts")
    first = SubUnitGroup.objects.create(code="3544/00", title="Data analysts", unit_group=unit)
    second = SubUnitGroup.objects.create(code="3544/01", title="Other", unit_group=unit)
    SubUnitGroupMapping.objects.create(occupation=occupation, sub_unit_group=first, is_primary=True)
    SubUnitGroupMapping.objects.create(occupation=occupation, sub_unit_group=second)
    refused(
        lambda: SubUnitGroupMapping.objects.filter(sub_unit_group=second).update(is_primary=True)
    )


def test_band_of_a_level():
    assert [TechnicalBand.for_level(level) for level in range(2, 8)] == [1, 1, 2, 2, 3, 3]
    with pytest.raises(ValueError, match="no band holds level 9"):
        TechnicalBand.for_level(9)


def test_a_cluster_is_always_in_its_rows_pathway():
    from routes.models import Cluster, ClusterGroup

    cluster = make_cluster()
    elsewhere = make_cluster()
    refused(lambda: Cluster.objects.filter(pk=cluster.pk).update(pathway=elsewhere.pathway))
    refused(lambda: Cluster.objects.filter(pk=cluster.pk).update(row=elsewhere.row))
    # Row and pathway together is a move; and a row moved to another pathway takes its clusters.
    Cluster.objects.filter(pk=cluster.pk).update(row=elsewhere.row, pathway=elsewhere.pathway)
    ClusterGroup.objects.filter(pk=elsewhere.row_id).update(pathway=cluster.pathway)
    assert set(
        Cluster.objects.filter(row=elsewhere.row_id).values_list("pathway_id", flat=True)
    ) == {cluster.pathway_id}
