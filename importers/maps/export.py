"""The whole map as one JSON document, in the Occupational Maps API's own shapes.

The ``occupations`` are API occupation objects (with ``mapHierarchy``, ``products``, ``soc``,
``progression`` ...), the ``routes`` and ``greenThemes`` are as in the API, and the directed
progression links are listed as ``progressionEdges``. So ``import_maps`` reads an export back.
"""

from collections import defaultdict

from django.db.models import Prefetch
from django.utils import timezone

from core.models import ImportRecord
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
        "stdCode": occupation.code,
        "name": occupation.title,
        "status": occupation.status,
        "statusName": occupation.get_status_display(),
        "level": occupation.level,
        "versionNo": occupation.version,
        "statusLastUpdated": occupation.status_date.isoformat() if occupation.status_date else None,
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
                {
                    "stdCodeFrom": start.code,
                    "stdCodeTo": end.code,
                    "directed": link.directed,
                    "addedByStaff": link.added_by_staff,
                }
            )
        else:
            neighbours[start.pk].append(end)
            neighbours[end.pk].append(start)

    latest = ImportRecord.objects.succeeded().order_by("-finished_at").first()
    return {
        "title": "Occupational maps of England",
        "licence": LICENCE,
        "credit": CREDIT,
        "exportedAt": timezone.now().isoformat(timespec="seconds"),
        "dataAsAt": latest.finished_at.isoformat(timespec="seconds") if latest else None,
        "routes": [
            {"object": "Route", "routeId": r.api_id, "name": r.name, "sequence": r.sequence}
            for r in Route.objects.order_by("sequence", "api_id")
        ],
        "greenThemes": [
            {
                "themeId": theme.theme_id,
                "themeName": theme.name,
                "subThemes": [
                    {"themeId": sub.sub_theme_id, "themeName": sub.name}
                    for sub in theme.sub_themes.all()
                ],
            }
            for theme in GreenTheme.objects.prefetch_related("sub_themes").order_by("theme_id")
        ],
        "occupations": [_occupation(o, neighbours[o.pk], site_url) for o in occupations],
        "progressionEdges": edges,
        "localEdits": [
            {
                "stdCode": edit.occupation.code,
                "field": edit.field,
                "editedAt": edit.edited_at.isoformat(),
                "editedBy": edit.edited_by.get_username() if edit.edited_by else None,
            }
            for edit in LocalEdit.objects.select_related("occupation", "edited_by").order_by(
                "occupation__code", "field"
            )
        ],
    }


def _occupation(occupation: Occupation, neighbours: list[Occupation], site_url: str) -> dict:
    cluster = occupation.cluster
    soc = getattr(occupation, "soc", None)
    document = _summary(occupation) | {
        "summary": occupation.summary,
        "overview": occupation.overview,
        "involvedEmployers": occupation.involved_employers,
        "keywords": occupation.keywords,
        "typicalJobTitles": [
            {"name": t.name, "isGreen": t.is_green}
            for t in sorted(occupation.job_titles.all(), key=lambda t: (t.sequence, t.name))
        ],
        "soc": {
            "soc2010Code": int(soc.soc2010.code) if soc and soc.soc2010 else 0,
            "soc2010Description": soc.soc2010.title if soc and soc.soc2010 else "",
            "soc2020Code": int(soc.soc2020.code) if soc and soc.soc2020 else 0,
            "soc2020Description": soc.soc2020.title if soc and soc.soc2020 else "",
            "soc2020SubUnitGroups": [
                {
                    "code": m.sub_unit_group.code,
                    "description": m.sub_unit_group.title,
                    "isPrimary": m.is_primary,
                }
                for m in occupation.sub_unit_group_mappings.all()
            ],
        },
        "products": [
            {
                "object": "Product",
                "name": link.name or link.product.name,
                "level": link.product.level,
                "status": link.product.status,
                "statusName": link.product.status_name or None,
                "type": link.product.type,
                "typeName": link.product.get_type_display(),
                "careerStarter": link.product.career_starter,
                "productCode": link.product.code,
                "qualificationCategory": link.product.qualification_category or None,
            }
            for link in occupation.product_links.all()
        ],
        "greenThemeIds": sorted(t.theme_id for t in occupation.green_themes.all()),
        "progression": [_summary(n) for n in sorted(neighbours, key=lambda n: n.code)],
        "links": [
            {"rel": "occupationalStandardURL", "href": site_url + occupation.get_absolute_url()},
        ],
    }
    if cluster is not None:
        pathway, route = cluster.pathway, cluster.pathway.route
        document["mapHierarchy"] = {
            "routeId": route.api_id,
            "routeName": route.name,
            "routeSequence": route.sequence,
            "pathwayId": pathway.api_id,
            "pathwayName": pathway.name,
            "pathwaySequence": pathway.sequence,
            "clusterGroupId": cluster.row.api_id,
            "clusterGroupSequence": cluster.row.sequence,
            "clusterId": cluster.api_id,
            "clusterName": cluster.name,
            "clusterSeqeunce": cluster.sequence,
            "technicalLevel": cluster.band,
            "technicalLevelName": TechnicalBand(cluster.band).label,
        }
        document["links"].append(
            {"rel": "occupationalMapURL", "href": site_url + route.get_absolute_url()}
        )
    return document
