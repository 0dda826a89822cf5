"""The API's occupations and products (see ``site_pages.api``).

``/api/v1/occupations`` takes the search page's filters and reads them with the same
``OccupationFilter``, so the API, the page and the CSV/JSON downloads give the same results.
"""

from django.db.models import Prefetch
from django.http import Http404
from ninja import Query, Router

from core.schemas import ApiError, ErrorOut, form_errors, paginate, path_key
from occupations import search
from occupations.filters import OccupationFilter
from occupations.models import (
    Occupation,
    OccupationProduct,
    Product,
    attach_product_types,
    sub_unit_group_mappings,
)
from occupations.schemas import (
    OccupationDetail,
    OccupationPage,
    OccupationQuery,
    ProductOut,
    ProductPage,
    ProductQuery,
    SuggestionList,
    SuggestQuery,
)
from occupations.selectors import neighbours, occupation_with_details
from occupations.views import base_queryset

router = Router(tags=["Occupations"])
products_router = Router(tags=["Products"])
suggest_router = Router(tags=["Search"])


def primary_sub_unit_groups():
    return Prefetch(
        "sub_unit_group_mappings",
        queryset=sub_unit_group_mappings().filter(is_primary=True).select_related("sub_unit_group"),
    )


@router.get(
    "",
    response={200: OccupationPage, 400: ErrorOut, 404: ErrorOut},
    url_name="occupations",
    summary="Search and filter occupations",
    description=(
        "The occupations the search page finds for the same query parameters, in the same "
        "order, a page at a time. Filters combine (AND); a repeated parameter keeps any of its "
        "values (OR). A filter value that is not valid is a 400 with the reasons."
    ),
)
def list_occupations(request, query: Query[OccupationQuery]):
    filterset = OccupationFilter(query.as_form_data(), queryset=base_queryset())
    if not filterset.is_valid():
        raise ApiError(400, "Some query parameters are not valid.", form_errors(filterset.form))
    queryset = (
        filterset.sorted_queryset().with_card_data().prefetch_related(primary_sub_unit_groups())
    )
    result = paginate(request, queryset, query)
    attach_product_types(result["results"])
    return result


def occupation_or_404(code: str) -> Occupation:
    occupation = occupation_with_details(path_key(code, "occupation with the code").upper())
    if occupation is None:
        raise Http404(f"No occupation has the code {code!r}.")
    return occupation


@router.get(
    "/{code}",
    response={200: OccupationDetail, 404: ErrorOut},
    url_name="occupation",
    summary="One occupation",
    description="Everything the occupation's page shows. The code may be in any case.",
)
def occupation_detail(request, code: str):
    occupation = occupation_or_404(code)
    occupation.neighbours = neighbours(occupation)
    return occupation


@products_router.get(
    "",
    response={200: ProductPage, 400: ErrorOut, 404: ErrorOut},
    url_name="products",
    summary="List the products",
    description=(
        "Apprenticeships, HTQs, T Levels, ... by type, then code, a page at a time, each with "
        "the occupations it trains for."
    ),
)
def list_products(request, query: Query[ProductQuery]):
    products = products_queryset().order_by("type", "code")
    if query.type:
        products = products.filter(type__in=[int(t) for t in query.type])
    return paginate(request, products, query)


def products_queryset():
    return Product.objects.prefetch_related(
        Prefetch(
            "occupation_links",
            queryset=OccupationProduct.objects.select_related("occupation").order_by(
                "occupation__level", "occupation__title", "occupation__code"
            ),
        )
    )


@products_router.get(
    "/{code}",
    response={200: ProductOut, 404: ErrorOut},
    url_name="product",
    summary="One product",
    description="A product and the occupations it trains for. The code may be in any case.",
)
def product_detail(request, code: str):
    key = path_key(code, "product with the code")
    matches = list(products_queryset().filter(code__iexact=key).order_by("code"))
    exact = [p for p in matches if p.code == key]
    if not matches:
        raise Http404(f"No product has the code {code!r}.")
    return (exact or matches)[0]


@suggest_router.get(
    "",
    response={200: SuggestionList, 400: ErrorOut},
    url_name="suggest",
    summary="Suggestions as one types",
    description=(
        "Up to 10 suggestions for the search box: occupations the text finds (best first), "
        "then ONS coding index job titles and the SOC groups they are coded to."
    ),
)
def suggest(request, query: Query[SuggestQuery]):
    return {"suggestions": search.suggest(query.q)}
