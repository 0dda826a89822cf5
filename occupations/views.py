import io
import json
import re
from itertools import groupby
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from core.querystring import query_parameters
from core.spreadsheet import SafeWriter
from occupations import search as text_search
from occupations import selectors
from occupations.diagram import Node, layout, layout_vertical
from occupations.filters import OccupationFilter
from occupations.models import (
    OCCUPATION_CODE_RE,
    Occupation,
    OccupationProduct,
    Product,
    attach_product_types,
    sub_unit_group_mappings,
)
from occupations.selectors import occupation_with_details
from routes.models import BAND_LEVELS, TechnicalBand

PAGE_SIZE = 25
DOWNLOAD_CHUNK = 5000


def search(request):
    filterset = OccupationFilter(request.GET or None, queryset=base_queryset())
    valid = not filterset.is_bound or filterset.is_valid()
    return filterset, valid


def base_queryset():
    return Occupation.objects.with_map_place().select_related("soc__soc2010", "soc__soc2020")


@require_safe
@query_parameters("page", filterset=OccupationFilter)
def occupation_list(request):
    # An occupation code alone in the box goes to the occupation's page.
    others = [key for key, value in request.GET.items() if value and key not in {"q", "page"}]
    code = text_search.occupation_code(request.GET.get("q", ""))
    if code and not others and Occupation.objects.filter(code=code).exists():
        return redirect("occupations:detail", code=code)
    filterset, valid = search(request)
    page = None
    if valid:
        queryset = (
            filterset.sorted_queryset()
            if filterset.is_bound
            else base_queryset().order_by("title", "code")
        )
        paginator = Paginator(queryset.with_card_data(), PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        attach_product_types(page.object_list)
        reasons = filterset.found.reasons if filterset.found else {}
        for occupation in page.object_list:
            occupation.match_reason = reasons.get(occupation.pk, "")
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "occupations/occupation_list.html",
        {
            "filterset": filterset,
            "page": page,
            "query": query.urlencode(),
            "statuses": Occupation.Status,
            "help": (
                no_results_help(request, filterset)
                if page is not None and not page.object_list
                else None
            ),
        },
        status=200 if valid else 400,
    )


def soc_group_url(code: str) -> str:
    if "/" in code:
        return reverse("socmapping:sub_unit_group", args=code.split("/"))
    return reverse("socmapping:group", args=[2020, code])


def no_results_help(request, filterset) -> dict:
    """What the page offers when nothing matches: what was understood, the ONS job titles the
    words match (which no occupation on the loaded maps is mapped to), the filters to clear."""
    # An unbound form (no search at all, on a site with no occupations) was never cleaned.
    cleaned = getattr(filterset.form, "cleaned_data", {})
    text = cleaned.get("q") or ""
    found = filterset.found
    did_you_mean = ""
    if found and found.parsed and found.parsed.has_corrections:
        corrected = found.parsed.corrected_text
        if corrected.casefold() != text.casefold():
            did_you_mean = corrected
    filters = []
    for name, value in cleaned.items():
        if name in {"q", "sort"} or value in (None, "", [], False):
            continue
        rest = request.GET.copy()
        rest.pop(name, None)
        rest.pop("page", None)
        filters.append({"label": filterset.form.fields[name].label, "query": rest.urlencode()})
    without_filters = urlencode({"q": text}) if text else ""
    return {
        "text": text,
        "did_you_mean": did_you_mean,
        "did_you_mean_query": urlencode({"q": did_you_mean}) if did_you_mean else "",
        "job_titles": [
            {"title": title, "code": code, "group": group, "url": soc_group_url(code)}
            for title, code, group in (found.job_titles[:5] if found else [])
        ],
        "code": found.code if found else "",
        "filters": filters,
        "without_filters": without_filters if filters and text else "",
    }


CSV_COLUMNS = [
    "occupation_code",
    "title",
    "level",
    "band",
    "status",
    "status_date",
    "version",
    "standard_reference",
    "route",
    "pathway",
    "cluster",
    "soc2010_code",
    "soc2020_code",
    "primary_sub_unit_group",
    "product_types",
    "url",
]


def download_rows(request, queryset):
    """One dict per occupation, in the CSV's columns (the JSON download uses the same).

    The product types and primary sub-unit groups come from two queries over the same search
    (as subqueries, not lists of ids), so the queries stay fixed whatever the number of rows.
    """
    chosen = queryset.values("pk")
    types: dict[int, set[str]] = {}
    for occupation_id, product_type in (
        OccupationProduct.objects.filter(occupation__in=chosen)
        .values_list("occupation_id", "product__type")
        .distinct()
    ):
        types.setdefault(occupation_id, set()).add(Product.Type(product_type).label)
    primaries = dict(
        sub_unit_group_mappings()
        .filter(occupation__in=chosen, is_primary=True)
        .values_list("occupation_id", "sub_unit_group__code")
    )
    for occupation in queryset.iterator(chunk_size=DOWNLOAD_CHUNK):
        cluster = occupation.cluster
        soc = getattr(occupation, "soc", None)
        primary = primaries.get(occupation.pk)
        yield {
            "occupation_code": occupation.code,
            "title": occupation.title,
            "level": occupation.level,
            "band": TechnicalBand.for_level(occupation.level).label,
            "status": occupation.get_status_display(),
            "status_date": occupation.status_date.isoformat() if occupation.status_date else None,
            "version": occupation.version or None,
            "standard_reference": occupation.standard_reference or None,
            "route": cluster.pathway.route.name if cluster else None,
            "pathway": cluster.pathway.name if cluster else None,
            "cluster": cluster.name if cluster else None,
            "soc2010_code": soc.soc2010.code if soc and soc.soc2010 else None,
            "soc2020_code": soc.soc2020.code if soc and soc.soc2020 else None,
            "primary_sub_unit_group": primary,
            "product_types": sorted(types.get(occupation.pk, ())),
            "url": request.build_absolute_uri(occupation.get_absolute_url()),
        }


@require_safe
@query_parameters(filterset=OccupationFilter)
def occupation_download(request, fmt):
    """The search's occupations as CSV or JSON, built whole before anything is sent: a database
    failure part-way is the friendly 503, never a shorter file that looks complete."""
    filterset, valid = search(request)
    if not valid:
        return render(
            request,
            "occupations/occupation_list.html",
            {"filterset": filterset, "page": None, "statuses": Occupation.Status},
            status=400,
        )
    queryset = (
        filterset.sorted_queryset()
        if filterset.is_bound
        else base_queryset().order_by("title", "code")
    )
    rows = download_rows(request, queryset)
    if fmt == "csv":
        stream = io.StringIO(newline="")
        # Every cell through formula_safe: a title such as =HYPERLINK(...) is not run.
        writer = SafeWriter(stream)
        writer.writerow(CSV_COLUMNS)
        for row in rows:
            row["product_types"] = "; ".join(row["product_types"])
            writer.writerow(row[column] for column in CSV_COLUMNS)
        response = HttpResponse(stream.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="occupations.csv"'
        return response
    content = json.dumps({"occupations": list(rows)}, ensure_ascii=False)
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="occupations.json"'
    return response


@require_safe
@query_parameters()
def occupation_detail(request, code):
    canonical = code.strip().upper()
    if not re.fullmatch(OCCUPATION_CODE_RE, canonical):
        # Not a code at all (blank, or with a NUL that PostgreSQL refuses): nothing to look up.
        raise Http404("No such occupation")
    if code != canonical:
        return redirect("occupations:detail", code=canonical, permanent=True)
    occupation = occupation_with_details(code)
    if occupation is None:
        raise Http404("No such occupation")
    products = [
        {"type": key, "links": list(links)}
        for key, links in groupby(
            occupation.product_links.all(), key=lambda link: link.product.get_type_display()
        )
    ]
    every = selectors.all_neighbours(occupation)
    neighbours = [o for o in every if not getattr(o, "not_loaded", False)]
    progression = [
        {"level": level, "occupations": list(group)}
        for level, group in groupby(every, key=lambda o: o.level)
    ]
    siblings = []
    if occupation.cluster_id:
        siblings = list(
            Occupation.objects.filter(cluster_id=occupation.cluster_id)
            .exclude(pk=occupation.pk)
            .order_by("level", "title")
        )
    diagram = narrow_diagram = None
    if neighbours:
        centre = Node(
            occupation.code, occupation.title, occupation.level, occupation.get_absolute_url()
        )
        nodes = [
            Node(
                o.code,
                o.title,
                o.level,
                o.get_absolute_url(),
                other_route=o.route.name if o.other_route else "",
            )
            for o in neighbours
        ]
        diagram = layout(centre, nodes)
        narrow_diagram = layout_vertical(centre, nodes)
    band = TechnicalBand.for_level(occupation.level)
    return render(
        request,
        "occupations/occupation_detail.html",
        {
            "occupation": occupation,
            "band": band,
            "band_levels": BAND_LEVELS[band],
            "job_titles": occupation.job_titles.all(),
            "products": products,
            "sub_unit_groups": occupation.sub_unit_group_mappings.all(),
            "progression": progression,
            "neighbour_count": len(every),
            "siblings": siblings,
            "diagram": diagram,
            "narrow_diagram": narrow_diagram,
            "green_themes": occupation.green_themes.all(),
        },
    )
