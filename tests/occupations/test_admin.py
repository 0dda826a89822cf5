"""The admin: what staff can see and do, what it refuses, and that imports keep their edits."""

import io

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.roles import MAP_EDITORS, VIEWERS, setup_roles
from occupations.models import LocalEdit, Occupation, Progression
from routes.models import Cluster, Route
from socmapping.models import SocGroup, SubUnitGroup, SubUnitGroupMapping
from tests.admin_forms import form_data
from tests.bundled import MAP_SOURCES, MAPS, load_bundled

pytestmark = pytest.mark.django_db


def quiet(*args, **options) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


@pytest.fixture
def superuser_client(client):
    user = User.objects.create_superuser("boss", "boss@example.org", "pw-for-tests-only")
    client.force_login(user)
    return client


def user_in(group_name: str) -> User:
    setup_roles()
    user = User.objects.create_user(group_name.split()[0].lower(), password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user


def admin_pages():
    """(name, url) for every changelist, add form and first change form in the admin."""
    for model, model_admin in admin.site._registry.items():
        info = model._meta.app_label, model._meta.model_name
        yield f"{info} changelist", reverse("admin:{}_{}_changelist".format(*info))
        yield f"{info} add", reverse("admin:{}_{}_add".format(*info))
        first = (
            model_admin.get_queryset(None).order_by("pk").first()
            if False
            else model.objects.order_by("pk").first()
        )
        if first is not None:
            yield f"{info} change", reverse("admin:{}_{}_change".format(*info), args=[first.pk])


def measure(client, url, warm=True) -> tuple[int, int]:
    if warm:
        client.get(url)  # warm Django's per-process caches (content types), as in production
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response.status_code, len(queries)


def test_every_admin_page_renders_in_a_fixed_number_of_queries(superuser_client):
    # Small: the three samples from other routes. Then the whole Digital route joins them.
    quiet("import_maps", str(MAPS / "index.json"), str(MAPS / "samples"))
    # Django's per-process cache of content types, warm for every model, as in production.
    ContentType.objects.get_for_models(*admin.site._registry, for_concrete_models=False)
    small = {name: measure(superuser_client, url, warm=False) for name, url in admin_pages()}
    for name, (status, _) in small.items():
        assert status in (200, 403), name  # 403: adding an import record is not allowed
    quiet("import_maps", str(MAPS / "index.json"), str(MAPS / "digital"))
    for name, url in admin_pages():
        if name in small and not name.endswith("change"):
            assert measure(superuser_client, url, warm=False) == small[name], name
    # A change form with many inline rows costs what one with few does (below); a cap here.
    assert max(count for _, count in small.values()) <= 25


def test_an_occupation_form_costs_the_same_with_many_rows_as_with_few(superuser_client):
    load_bundled()
    few = Occupation.objects.get(code="OCC1043")  # potential: no products, no links
    many = Occupation.objects.get(code="OCC0118")  # 13 products, 6 job titles, 2 sub-unit groups
    assert many.product_links.count() > few.product_links.count() + 10
    url = "admin:occupations_occupation_change"
    # The first measure warms the caches for the model; the second finds them warm.
    assert measure(superuser_client, reverse(url, args=[few.pk])) == measure(
        superuser_client, reverse(url, args=[many.pk]), warm=False
    )
    pathway_url = reverse("admin:routes_pathway_change", args=[many.cluster.pathway_id])
    small_pathway = Occupation.objects.get(code="OCC0116").cluster.pathway
    other_url = reverse("admin:routes_pathway_change", args=[small_pathway.pk])
    assert small_pathway.clusters.count() != many.cluster.pathway.clusters.count()
    assert measure(superuser_client, pathway_url) == measure(
        superuser_client, other_url, warm=False
    )


def test_changelist_filters_and_search(superuser_client):
    load_bundled()
    url = reverse("admin:occupations_occupation_changelist")
    for query in (
        "band=3",
        "status=1",
        "level=4",
        "product_type=3",
        "has_soc2020=no",
        "green=yes",
        "q=network",
    ):
        response = superuser_client.get(f"{url}?{query}")
        assert response.status_code == 200, query
        assert "errors" not in response.request.get("QUERY_STRING", ""), query
    response = superuser_client.get(f"{url}?has_soc2020=no")
    codes = {o.code for o in response.context["cl"].result_list}
    assert codes == set(
        Occupation.objects.filter(soc__soc2020__isnull=True).values_list("code", flat=True)
    ) | set(Occupation.objects.filter(soc__isnull=True).values_list("code", flat=True))


def test_map_editor_edits_an_occupation_but_cannot_delete_a_route_or_manage_users(client):
    load_bundled()
    client.force_login(user_in(MAP_EDITORS))
    occupation = Occupation.objects.filter(status=1).order_by("code").first()
    url = reverse("admin:occupations_occupation_change", args=[occupation.pk])
    data = form_data(client.get(url)) | {"title": "Edited by a map editor"}
    response = client.post(url, data)
    assert response.status_code == 302, (
        response.context and response.context["adminform"].form.errors
    )
    occupation.refresh_from_db()
    assert occupation.title == "Edited by a map editor"
    route = Route.objects.first()
    assert client.get(reverse("admin:routes_route_delete", args=[route.pk])).status_code == 403
    assert (
        client.post(
            reverse("admin:routes_route_delete", args=[route.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert Route.objects.filter(pk=route.pk).exists()
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
    # The ONS classification is read-only for them.
    group = SocGroup.objects.first()
    response = client.post(
        reverse("admin:socmapping_socgroup_change", args=[group.pk]), {"title": "x"}
    )
    assert response.status_code == 403


def test_viewer_can_look_but_not_save(client):
    load_bundled()
    client.force_login(user_in(VIEWERS))
    occupation = Occupation.objects.order_by("code").first()
    url = reverse("admin:occupations_occupation_change", args=[occupation.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert client.post(url, {"title": "No"}).status_code == 403
    occupation.refresh_from_db()
    assert occupation.title != "No"


def test_roles_are_idempotent():
    first = setup_roles()
    assert setup_roles() == first
    assert Group.objects.filter(name__in=[MAP_EDITORS, VIEWERS]).count() == 2
    editors = Group.objects.get(name=MAP_EDITORS)
    names = set(editors.permissions.values_list("codename", flat=True))
    assert "change_occupation" in names and "delete_route" not in names
    assert "change_user" not in names and "change_socgroup" not in names


def change(client, occupation, **changes):
    url = reverse("admin:occupations_occupation_change", args=[occupation.pk])
    data = form_data(client.get(url)) | changes
    return client.post(url, data, follow=True)


def test_level_outside_the_band_is_refused_with_advice(superuser_client):
    load_bundled()
    occupation = Occupation.objects.filter(level=3).first()
    response = change(superuser_client, occupation, level="6")
    form = response.context["adminform"].form
    assert "is outside the cluster" in str(form.errors["level"])
    assert "Choose a level from 2 to 3" in str(form.errors["level"])


def test_progression_to_itself_is_refused(superuser_client):
    load_bundled()
    occupation = Occupation.objects.first()
    response = superuser_client.post(
        reverse("admin:occupations_progression_add"),
        {"from_occupation": occupation.pk, "to_occupation": occupation.pk},
    )
    assert "cannot progress to itself" in response.content.decode()
    assert not Progression.objects.filter(
        from_occupation=occupation, to_occupation=occupation
    ).exists()


def test_two_primary_sub_unit_groups_are_refused(superuser_client):
    load_bundled()
    occupation = (
        Occupation.objects.filter(sub_unit_group_mappings__is_primary=False).distinct().first()
    )
    url = reverse("admin:occupations_occupation_change", args=[occupation.pk])
    data = form_data(superuser_client.get(url))
    prefix = next(k for k in data if k.endswith("-is_primary")).split("-")[0]
    for index in range(int(data[f"{prefix}-TOTAL_FORMS"])):
        data[f"{prefix}-{index}-is_primary"] = "on"
    response = superuser_client.post(url, data)
    assert response.status_code == 200
    assert "Mark exactly one as primary" in response.content.decode()


def test_sub_unit_group_outside_the_unit_group_warns_but_saves(superuser_client):
    load_bundled()
    occupation = Occupation.objects.filter(soc__soc2020__isnull=False).first()
    elsewhere = SubUnitGroup.objects.exclude(unit_group=occupation.soc.soc2020).first()
    url = reverse("admin:occupations_occupation_change", args=[occupation.pk])
    data = form_data(superuser_client.get(url))
    prefix = "sub_unit_group_mappings"
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(total + 1)
    data[f"{prefix}-{total}-sub_unit_group"] = str(elsewhere.pk)
    data[f"{prefix}-{total}-occupation"] = str(occupation.pk)
    if total == 0:
        data[f"{prefix}-{total}-is_primary"] = "on"
    response = superuser_client.post(url, data, follow=True)
    assert SubUnitGroupMapping.objects.filter(
        occupation=occupation, sub_unit_group=elsewhere
    ).exists()
    assert "SOC 2020 unit group" in response.content.decode()
    assert "Saved anyway" in response.content.decode()
    assert LocalEdit.objects.filter(occupation=occupation, field="sub_unit_groups").exists()


def test_an_edit_survives_the_next_import_and_is_reported(superuser_client):
    load_bundled()
    occupation = Occupation.objects.filter(status=1).order_by("code").first()
    imported_title = occupation.title
    change(superuser_client, occupation, title="A better title")
    edit = LocalEdit.objects.get(occupation=occupation, field="title")
    assert edit.edited_by.username == "boss"
    output = quiet("import_maps", *map(str, MAP_SOURCES))
    occupation.refresh_from_db()
    assert occupation.title == "A better title"
    assert (
        f"Kept local edit: {occupation.code} title: staff value 'A better title', "
        f"imported value '{imported_title}'" in output
    )
    # The admin says which fields carry edits, and since when.
    page = superuser_client.get(
        reverse("admin:occupations_occupation_change", args=[occupation.pk])
    )
    assert "Title since" in page.content.decode()

    output = quiet("import_maps", *map(str, MAP_SOURCES), overwrite_edits=True)
    occupation.refresh_from_db()
    assert occupation.title == imported_title
    assert "local edit(s) with the imported values" in output
    assert f"{occupation.code} title" in output
    assert not LocalEdit.objects.filter(occupation=occupation).exists()


def test_edited_lists_and_staff_links_survive_an_import(superuser_client):
    load_bundled()
    occupation = (
        Occupation.objects.filter(job_titles__isnull=False).distinct().order_by("code").first()
    )
    url = reverse("admin:occupations_occupation_change", args=[occupation.pk])
    data = form_data(superuser_client.get(url))
    data["job_titles-0-name"] = "Renamed job title"
    other = (
        Occupation.objects.exclude(pk=occupation.pk)
        .exclude(progressions_in__from_occupation=occupation)
        .exclude(progressions_out__to_occupation=occupation)
        .first()
    )
    total = int(data["progressions_out-TOTAL_FORMS"])
    data["progressions_out-TOTAL_FORMS"] = str(total + 1)
    data[f"progressions_out-{total}-to_occupation"] = str(other.pk)
    data[f"progressions_out-{total}-from_occupation"] = str(occupation.pk)
    response = superuser_client.post(url, data)
    assert response.status_code == 302
    link = Progression.objects.get(from_occupation=occupation, to_occupation=other)
    assert link.added_by_staff
    output = quiet("import_maps", *map(str, MAP_SOURCES))
    assert occupation.job_titles.filter(name="Renamed job title").exists()
    assert Progression.objects.filter(pk=link.pk).exists()
    assert f"Kept local edit: {occupation.code} job_titles" in output
    # The search sees the renamed title.
    occupation.refresh_from_db()
    assert "Renamed job title" in occupation.search_text


def test_data_quality_page_lists_seeded_problems(superuser_client):
    load_bundled()
    homeless = Occupation.objects.order_by("code").first()
    homeless.cluster = None
    homeless.save()
    wrong_band = Occupation.objects.filter(level=3, cluster__isnull=False).first()
    Occupation.objects.filter(pk=wrong_band.pk).update(level=7)
    empty = Cluster.objects.create(
        api_id=999_999,
        pathway=wrong_band.cluster.pathway,
        row=wrong_band.cluster.row,
        band=2,
        name="Empty cluster",
    )
    response = superuser_client.get(reverse("data_quality"))
    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("admin:occupations_occupation_change", args=[homeless.pk]) in html
    assert reverse("admin:occupations_occupation_change", args=[wrong_band.pk]) in html
    assert reverse("admin:routes_cluster_change", args=[empty.pk]) in html
    # Links to occupations on routes not in the bundled data: OCC0116 Software developer lists
    # OCC0013 High integrity software engineer (Engineering and manufacturing).
    assert "links to OCC0013, which is not in the database" in html
    assert "Occupations with no SOC 2020 unit group" in html


def test_data_quality_needs_staff(client):
    response = client.get(reverse("data_quality"))
    assert response.status_code == 302  # to the login page


def test_a_public_page_shows_an_admin_edit_on_the_next_request(superuser_client, client):
    load_bundled()
    occupation = Occupation.objects.order_by("code").first()
    public = client.get(occupation.get_absolute_url())
    assert occupation.title in public.content.decode()
    change(superuser_client, occupation, title="Freshly edited title")
    assert "Freshly edited title" in client.get(occupation.get_absolute_url()).content.decode()


HYPERLINK = '=HYPERLINK("http://evil.example","Software developer")'


def warnings_of(response) -> list[str]:
    """The formula warnings the admin gave (it warns of other things too)."""
    return [
        str(m)
        for m in response.context["messages"]
        if m.level_tag == "warning" and "formula" in str(m)
    ]


def test_a_title_a_spreadsheet_would_run_is_saved_with_a_warning(client):
    load_bundled()
    client.force_login(user_in(MAP_EDITORS))
    occupation = Occupation.objects.get(code="OCC0118")
    url = reverse("admin:occupations_occupation_change", args=[occupation.pk])
    data = form_data(client.get(url)) | {"title": HYPERLINK}
    assert data["job_titles-0-name"]
    data["job_titles-0-name"] = "@cluster lead"
    response = client.post(url, data, follow=True)
    assert response.redirect_chain[-1][1] == 302
    occupation.refresh_from_db()
    assert occupation.title == HYPERLINK
    assert occupation.job_titles.filter(name="@cluster lead").count() == 1
    assert warnings_of(response) == [
        "Title starts with '='; Name starts with '@': a spreadsheet would run such text as a "
        "formula. The site's CSV downloads put a ' in front of it so that it shows as text; "
        "check that it is meant."
    ]
    # And so they do.
    download = client.get("/occupations/occupations.csv", {"q": "OCC0118"})
    assert f"'{HYPERLINK}".replace('"', '""') in download.content.decode()


@pytest.mark.parametrize("name", ["+44 cluster", "-cmd|' /C calc'!A0", "\tTabbed"])
def test_a_cluster_name_a_spreadsheet_would_run_warns(superuser_client, name):
    load_bundled()
    cluster = Cluster.objects.order_by("pk").first()
    url = reverse("admin:routes_cluster_change", args=[cluster.pk])
    data = form_data(superuser_client.get(url)) | {"name": name}
    response = superuser_client.post(url, data, follow=True)
    cluster.refresh_from_db()
    assert cluster.name == name.strip()
    assert len(warnings_of(response)) == (0 if name.startswith("\t") else 1)


def test_plain_text_and_negative_numbers_give_no_warning(superuser_client):
    load_bundled()
    occupation = Occupation.objects.get(code="OCC0118")
    url = reverse("admin:occupations_occupation_change", args=[occupation.pk])
    data = form_data(superuser_client.get(url)) | {"title": "Data analyst (level 4)"}
    response = superuser_client.post(url, data, follow=True)
    assert response.redirect_chain[-1][1] == 302
    assert warnings_of(response) == []
