"""The release pages: the list (and the comparison of two releases), one release, its CSV."""

from django.core.paginator import EmptyPage, Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from changes import selectors
from changes.forms import ChangesForm
from changes.models import Release
from core.querystring import query_parameters
from core.spreadsheet import SafeWriter

PAGE_SIZE = 25

CSV_COLUMNS = [
    "release",
    "released_at",
    "route",
    "occupation_code",
    "occupation_title",
    "kind",
    "change",
    "subject",
    "old",
    "new",
]


@query_parameters("route", "kind", "from", "to", "page")
@require_safe
def release_list(request):
    """Every release, newest first; with ``from`` and ``to``, their combined difference."""
    form = ChangesForm(request.GET, compare=True)
    context = {"form": form, "releases": None, "comparison": None}
    if not form.is_valid():
        return render(request, "changes/release_list.html", context, status=400)
    if form.comparing:
        data = form.cleaned_data
        changes = selectors.combined_changes(
            data["from"], data["to"], route=data["route"], kind=data["kind"]
        )
        context["comparison"] = {
            "from": data["from"],
            "to": data["to"],
            "count": len(changes),
            "groups": selectors.grouped(selectors.with_links(changes)),
            "filtered": bool(data["route"] or data["kind"]),
        }
        return render(request, "changes/release_list.html", context)
    releases = selectors.releases_with(
        route=form.cleaned_data["route"], kind=form.cleaned_data["kind"]
    )
    paginator = Paginator(releases, PAGE_SIZE)
    try:
        context["releases"] = paginator.page(form.cleaned_data["page"] or 1)
    except EmptyPage:
        form.add_error("page", f"There is no page {form.cleaned_data['page']}.")
        return render(request, "changes/release_list.html", context, status=400)
    context["filtered"] = bool(form.cleaned_data["route"] or form.cleaned_data["kind"])
    query = request.GET.copy()
    query.pop("page", None)
    context["query"] = query.urlencode()
    return render(request, "changes/release_list.html", context)


@query_parameters("route", "kind")
@require_safe
def release_detail(request, number):
    release = get_object_or_404(Release, number=number)
    form = ChangesForm(request.GET)
    context = {"release": release, "form": form, "groups": None}
    if not form.is_valid():
        return render(request, "changes/release_detail.html", context, status=400)
    data = form.cleaned_data
    changes = selectors.release_changes(release, route=data["route"], kind=data["kind"])
    changes = selectors.with_links(changes)
    context |= {
        "groups": selectors.grouped(changes),
        "shown": len(changes),
        "filtered": bool(data["route"] or data["kind"]),
        "previous": Release.objects.filter(number__lt=number).order_by("-number").first(),
        "next": Release.objects.filter(number__gt=number).order_by("number").first(),
        "query": request.GET.urlencode(),
    }
    return render(request, "changes/release_detail.html", context)


@query_parameters("route", "kind")
@require_safe
def release_csv(request, number):
    """A release's differences as CSV (every cell formula-safe), filtered like its page."""
    release = get_object_or_404(Release, number=number)
    form = ChangesForm(request.GET)
    if not form.is_valid():
        return render(
            request,
            "changes/release_detail.html",
            {"release": release, "form": form, "groups": None},
            status=400,
        )
    changes = selectors.release_changes(
        release, route=form.cleaned_data["route"], kind=form.cleaned_data["kind"]
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="release-{number}.csv"'
    writer = SafeWriter(response)
    writer.writerow(CSV_COLUMNS)
    for change in changes:
        writer.writerow(
            [
                release.number,
                release.created_at.isoformat(),
                change.route_name,
                change.occupation_code,
                change.occupation_title,
                change.kind,
                change.description,
                change.subject,
                csv_value(change.old),
                csv_value(change.new),
            ]
        )
    return response


def csv_value(value) -> str:
    """A cell: text as it is, a number as digits, a structure as ``key: value`` pairs."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return "; ".join(f"{key}: {item}" for key, item in value.items() if item is not None)
    return str(value)
