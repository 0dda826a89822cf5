"""The synthetic snapshot used by the benchmarks: deterministic, in scale, and importable."""

from io import StringIO

import pytest
from django.core.management import call_command

from benchmarks.snapshot import FULL, generate
from occupations.models import Occupation, Product, Progression
from routes.models import Cluster, Pathway, Route


def files(folder) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.json"))}


def test_same_seed_same_files_other_seed_other_files(tmp_path):
    first = generate(tmp_path / "a", seed=3)
    again = generate(tmp_path / "b", seed=3)
    other = generate(tmp_path / "c", seed=4)
    assert files(first.folder) == files(again.folder)
    assert first.counts == again.counts
    assert files(first.folder) != files(other.folder)


def test_full_scale_has_the_national_shape(tmp_path):
    counts = generate(tmp_path, occupations=FULL).counts
    assert counts["occupations"] == FULL
    assert counts["routes"] == 15
    assert counts["pathways"] == 35
    assert 160 <= counts["clusters"] <= 180
    assert 140 <= counts["largest_route"]["occupations"] <= 160
    assert counts["progression_pairs"] == 3000
    assert counts["cross_route_pairs"] > 0
    assert 1800 <= counts["products"] <= 2200
    assert set(counts["statuses"]) == {1, 2, 3, 4}
    assert set(counts["products_by_type"]) == {1, 2, 3, 4, 5, 6}


@pytest.mark.django_db
def test_a_small_snapshot_imports_cleanly_and_again_changes_nothing(tmp_path):
    snapshot = generate(tmp_path)
    counts = snapshot.counts
    out = StringIO()
    call_command("import_maps", str(snapshot.folder), stdout=out, stderr=out)
    assert f"Occupations: {counts['occupations']} created" in out.getvalue()
    assert Route.objects.count() == 15
    assert Pathway.objects.count() == counts["pathways"]
    assert Cluster.objects.count() == counts["clusters"]
    assert Occupation.objects.count() == counts["occupations"]
    assert Product.objects.count() == counts["products"]
    assert Progression.objects.count() == counts["progression_pairs"]
    largest = Route.objects.get(slug=counts["largest_route"]["slug"])
    assert Occupation.objects.in_route(largest).count() == counts["largest_route"]["occupations"]
    out = StringIO()
    call_command("import_maps", str(snapshot.folder), stdout=out, stderr=out)
    assert out.getvalue().startswith("No changes")
