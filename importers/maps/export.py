"""The whole map as one JSON document, in the Occupational Maps API's own shapes, written
through the document models of ``documents.py`` (which spell every key).

The occupations are API occupation objects (with their map hierarchy, products, SOC codes and
progression), the routes and green themes are as in the API, and the directed progression links
are listed apart (``documents.MapExport``). So ``import_maps`` reads an export back.
"""

from collections import defaultdict

from django.db.models import Prefetch
from django.utils import timezone

from core.models import ImportRecord
from importers.maps import documents
from occupations.models import (
    GreenTheme,
    LocalEdit,
    Occupation,
    OccupationProduct,
    Progression,
)
from routes.models import Route, TechnicalBand
from socmapping.models import SubUnitGroupMapping

LICENCE = "Open Government Licence v3.0"
CREDIT = (
    "Contains public sector information licensed under the Open Government Licence v3.0. "
    "Occupational maps: Skills England. Standard Occupational Classification: Office for "
    "National Statistics."
)


def _summary(occupation: Occupation) -> dict:
    return {
        "object": "Occupation",
        "std_code": occupation.code,
        "name": occupation.title,
        "status": occupation.status,
        "status_name": occupation.get_status_display(),
        "level": occupation.level,
        "version_no": occupation.version,
        "status_last_updated": occupation.status_date,
    }


def export_map(site_url: str = "") -> dict:
    occupations = list(
        Occupation.objects.with_map_place()
        .select_related("soc__soc2010", "soc__soc2020")
        .prefetch_related(
            "job_titles",
            "green_themes",
            Prefetch(
                "product_links",
                queryset=OccupationProduct.objects.select_related("product").order_by(
                    "product__type", "product__code"
                ),
            ),
            Prefetch(
                "sub_unit_group_mappings",
                queryset=SubUnitGroupMapping.objects.select_related("sub_unit_group").order_by(
                    "-is_primary", "sub_unit_group__code"
                ),
            ),
        )
        .order_by("code")
    )
    by_id = {o.pk: o for o in occupations}
    neighbours = defaultdict(list)
    edges = []
    for link in Progression.objects.order_by("from_occupation_id", "to_occupation_id"):
        start, end = by_id[link.from_occupation_id], by_id[link.to_occupation_id]
        if link.directed or link.added_by_staff:
            edges.append(
                documents.ProgressionEdge(
                    std_code_from=start.code,
                    std_code_to=end.code,
                    directed=link.directed,
                    added_by_staff=link.added_by_staff,
                )
            )
        else:
            neighbours[start.pk].append(end)
            neighbours[end.pk].append(start)

    latest = ImportRecord.objects.latest_of("maps")
    return documents.MapExport(
        title="Occupational maps of England",
        licence=LICENCE,
        credit=CREDIT,
        exported_at=timezone.now().isoformat(timespec="seconds"),
        data_as_at=latest.data_as_at.isoformat() if latest and latest.data_as_at else None,
        routes=[
            documents.Route(object="Route", route_id=r.api_id, name=r.name, sequence=r.sequence)
            for r in Route.objects.order_by("sequence", "api_id")
        ],
        green_themes=[
            documents.GreenTheme(
                theme_id=theme.theme_id,
                theme_name=theme.name,
                sub_themes=[
                    documents.SubTheme(theme_id=sub.sub_theme_id, theme_name=sub.name)
                    for sub in theme.sub_themes.all()
                ],
            )
            for theme in GreenTheme.objects.prefetch_related("sub_themes").order_by("theme_id")
        ],
        occupations=[_occupation(o, neighbours[o.pk], site_url) for o in occupations],
        progression_edges=edges,
        local_edits=[
            documents.LocalEdit(
                std_code=edit.occupation.code,
                field=edit.field,
                edited_at=edit.edited_at.isoformat(),
                edited_by=edit.edited_by.get_username() if edit.edited_by else None,
            )
            for edit in LocalEdit.objects.select_related("occupation", "edited_by").order_by(
                "occupation__code", "field"
            )
        ],
    ).dump()


def _occupation(
    occupation: Occupation, neighbours: list[Occupation], site_url: str
) -> documents.Occupation:
    cluster = occupation.cluster
    soc = getattr(occupation, "soc", None)
    links = [
        documents.Link(rel=documents.STANDARD_LINK, href=site_url + occupation.get_absolute_url())
    ]
    hierarchy = {}
    if cluster is not None:
        pathway, route = cluster.pathway, cluster.pathway.route
        hierarchy["map_hierarchy"] = documents.MapHierarchy(
            route_id=route.api_id,
            route_name=route.name,
            route_sequence=route.sequence,
            pathway_id=pathway.api_id,
            pathway_name=pathway.name,
            pathway_sequence=pathway.sequence,
            cluster_group_id=cluster.row.api_id,
            cluster_group_sequence=cluster.row.sequence,
            cluster_id=cluster.api_id,
            cluster_name=cluster.name,
            cluster_sequence=cluster.sequence,
            technical_level=cluster.band,
            technical_level_name=TechnicalBand(cluster.band).label,
        )
        links.append(
            documents.Link(rel=documents.MAP_LINK, href=site_url + route.get_absolute_url())
        )
    return documents.Occupation(
        **_summary(occupation),
        summary=occupation.summary,
        overview=occupation.overview,
        involved_employers=occupation.involved_employers,
        keywords=occupation.keywords,
        typical_job_titles=[
            documents.JobTitle(name=t.name, is_green=t.is_green)
            for t in sorted(occupation.job_titles.all(), key=lambda t: (t.sequence, t.name))
        ],
        soc=documents.Soc(
            soc2010_code=int(soc.soc2010.code) if soc and soc.soc2010 else documents.NOT_MAPPED,
            soc2010_description=soc.soc2010.title if soc and soc.soc2010 else "",
            soc2020_code=int(soc.soc2020.code) if soc and soc.soc2020 else documents.NOT_MAPPED,
            soc2020_description=soc.soc2020.title if soc and soc.soc2020 else "",
            soc2020_sub_unit_groups=[
                documents.SubUnitGroup(
                    code=m.sub_unit_group.code,
                    description=m.sub_unit_group.title,
                    is_primary=m.is_primary,
                )
                for m in occupation.sub_unit_group_mappings.all()
            ],
        ),
        products=[
            documents.Product(
                object="Product",
                name=link.name or link.product.name,
                level=link.product.level,
                status=link.product.status,
                status_name=link.product.status_name or None,
                type=link.product.type,
                type_name=link.product.get_type_display(),
                career_starter=link.product.career_starter,
                product_code=link.product.code,
                qualification_category=link.product.qualification_category or None,
            )
            for link in occupation.product_links.all()
        ],
        green_theme_ids=sorted(t.theme_id for t in occupation.green_themes.all()),
        progression=[
            documents.OccupationSummary(**_summary(n))
            for n in sorted(neighbours, key=lambda n: n.code)
        ],
        links=links,
        **hierarchy,
    )
