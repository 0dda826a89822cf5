"""The data quality checks shown to staff in the admin: each lists the records to fix."""

from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import reverse

from occupations.models import Occupation, OccupationProduct, UnloadedProgression
from routes.models import BAND_LEVELS, Cluster


@dataclass
class Check:
    title: str
    advice: str
    rows: list[tuple[str, str]] = field(default_factory=list)  # (text, admin link)


def occupation_rows(queryset) -> list[tuple[str, str]]:
    return [
        (f"{o.code} {o.title}", reverse("admin:occupations_occupation_change", args=[o.pk]))
        for o in queryset.order_by("code").only("pk", "code", "title")
    ]


def outside_band() -> Q:
    condition = Q()
    for band, levels in BAND_LEVELS.items():
        condition |= Q(cluster__band=band) & ~Q(level__in=levels)
    return condition


def dangling_links() -> list[tuple[str, str]]:
    """Progression entries kept from the source whose far end is not in the database."""
    links = (
        UnloadedProgression.objects.unloaded()
        .select_related("occupation")
        .order_by("occupation__code", "code")
    )
    return [
        (
            f"{link.occupation.code} links to {link.code}, which is not in the database"
            f"{': ' + link.title if link.title else ''}"
            f"{f', level {link.level}' if link.level else ''}",
            reverse("admin:occupations_occupation_change", args=[link.occupation_id]),
        )
        for link in links
    ]


def run_checks() -> list[Check]:
    with_products = OccupationProduct.objects.values("occupation_id")
    return [
        Check(
            "Occupations with no SOC 2010 unit group",
            "Add the closest SOC 2010 unit group in the occupation's SOC mapping.",
            occupation_rows(
                Occupation.objects.filter(Q(soc__isnull=True) | Q(soc__soc2010__isnull=True))
            ),
        ),
        Check(
            "Occupations with no SOC 2020 unit group",
            "Add the SOC 2020 unit group in the occupation's SOC mapping.",
            occupation_rows(
                Occupation.objects.filter(Q(soc__isnull=True) | Q(soc__soc2020__isnull=True))
            ),
        ),
        Check(
            "Occupations on no cluster",
            "Choose the cluster the occupation belongs to: it is not on any route map.",
            occupation_rows(Occupation.objects.filter(cluster__isnull=True)),
        ),
        Check(
            "Approved occupations with no product",
            "An approved occupation should list its apprenticeship or qualification.",
            occupation_rows(Occupation.objects.approved().exclude(pk__in=with_products)),
        ),
        Check(
            "Levels outside their cluster's band",
            "Change the level, or move the occupation to a cluster in the right band.",
            occupation_rows(Occupation.objects.filter(outside_band())),
        ),
        Check(
            "Progression links to occupations not in the database",
            "Import the other occupation (its route's map), or remove the link at the source. "
            "Pages list these links as not on a loaded map.",
            dangling_links(),
        ),
        Check(
            "Clusters with no occupations",
            "Move occupations into the cluster, or delete it if the map no longer has it.",
            [
                (
                    f"{c.pathway.route} › {c.pathway} › {c.name}",
                    reverse("admin:routes_cluster_change", args=[c.pk]),
                )
                for c in Cluster.objects.filter(occupations__isnull=True)
                .select_related("pathway__route")
                .order_by("pathway__route__sequence", "pathway__sequence", "band", "sequence")
            ],
        ),
    ]
