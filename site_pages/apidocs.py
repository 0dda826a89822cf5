"""The API's documentation page (``/api/``), made from the API itself.

Each endpoint's summary, description and parameters come from the generated OpenAPI schema,
and its example is a real call: a request built from the data that is loaded, answered by the
API's own view, shown as the JSON it returns (long lists and texts shortened). So the examples
cannot go stale: they change with the data, and a test checks that every one succeeds.
"""

import json
from dataclasses import dataclass, field
from urllib.parse import quote

from django.test import RequestFactory
from django.urls import resolve

from changes.models import Release
from occupations.models import Occupation, Product
from routes.models import Route
from socmapping.models import SocGroup, SubUnitGroupMapping

API = "/api/v1"
#: How much of an example to show: lists are cut to this many items, texts to SHORT_TEXT.
SHORT_LIST = 2
SHORT_TEXT = 160


@dataclass
class Example:
    path: str
    status: int
    body: object
    shortened: bool = False

    @property
    def text(self) -> str:
        return json.dumps(self.body, indent=2, ensure_ascii=False)


@dataclass
class Endpoint:
    template: str  # the path as the OpenAPI schema has it
    anchor: str
    example_path: str | None = None
    operation: dict = field(default_factory=dict)
    example: Example | None = None

    @property
    def summary(self) -> str:
        return self.operation.get("summary", "")

    @property
    def description(self) -> str:
        return self.operation.get("description", "")

    @property
    def parameters(self) -> list[dict]:
        return [
            {
                "name": p["name"],
                "where": p["in"],
                "required": p.get("required", False),
                "type": describe_type(p.get("schema", {})),
                "description": p.get("description", ""),
            }
            for p in self.operation.get("parameters", [])
        ]


def describe_type(schema: dict) -> str:
    """A parameter's type in a few words: "integer, 1 to 100", "one of: 1, 2, 3", ..."""
    options = [o for o in schema.get("anyOf", [schema]) if o.get("type") != "null"]
    schema = options[0] if options else schema
    if schema.get("type") == "array":
        return "repeatable: " + describe_type(schema.get("items", {}))
    if "enum" in schema:
        values = [str(v) for v in schema["enum"]]
        if len(values) > 8:
            return f"one of {len(values)} values (listed in the OpenAPI schema)"
        return "one of: " + ", ".join(values)
    words = schema.get("type", "string")
    if "minimum" in schema and "maximum" in schema:
        words += f", {schema['minimum']} to {schema['maximum']}"
    elif "minimum" in schema:
        words += f", at least {schema['minimum']}"
    if "maxLength" in schema:
        words += f", up to {schema['maxLength']} characters"
    if "default" in schema and schema["default"] not in ([], None):
        words += f" (default {schema['default']})"
    return words


def example_paths() -> dict[str, str]:
    """A real request for each endpoint, from the data that is loaded (none when it is empty)."""
    paths = {
        f"{API}/version": f"{API}/version",
        f"{API}/routes": f"{API}/routes",
        f"{API}/soc/{{version}}": f"{API}/soc/2020?level=major",
    }
    occupations = Occupation.objects.select_related(
        "cluster__pathway__route", "soc__soc2010", "soc__soc2020"
    ).order_by("cluster__pathway__route__sequence", "code")
    occupation = (
        occupations.filter(
            cluster__isnull=False,
            soc__soc2010__isnull=False,
            soc__soc2020__isnull=False,
            sub_unit_group_mappings__is_primary=True,
            progressions_out__isnull=False,
            product_links__isnull=False,
        )
        .distinct()
        .first()
        or occupations.first()
    )
    # What one might have typed so far: the start of an occupation's title.
    typed = occupation.title.split()[0][:6].lower() if occupation else "data"
    paths[f"{API}/suggest"] = f"{API}/suggest?q={quote(typed)}"
    if occupation is not None:
        paths[f"{API}/occupations/{{code}}"] = f"{API}/occupations/{occupation.code}"
        query = f"level={occupation.level}&page_size=2"
        if occupation.cluster:
            route = occupation.cluster.pathway.route
            paths[f"{API}/routes/{{slug}}"] = f"{API}/routes/{route.slug}"
            query = f"route={route.slug}&{query}"
        paths[f"{API}/occupations"] = f"{API}/occupations?{query}"
        soc = getattr(occupation, "soc", None)
        if soc and soc.soc2010:
            paths[f"{API}/soc/2010/{{code}}"] = f"{API}/soc/2010/{soc.soc2010.code}"
        if soc and soc.soc2020:
            paths[f"{API}/soc/2020/{{code}}"] = f"{API}/soc/2020/{soc.soc2020.code}"
    elif route := Route.objects.order_by("sequence").first():
        paths[f"{API}/routes/{{slug}}"] = f"{API}/routes/{route.slug}"
    product = (
        Product.objects.filter(occupation_links__occupation=occupation).order_by("type", "code")
        if occupation
        else Product.objects.order_by("type", "code")
    ).first()
    if product is not None:
        paths[f"{API}/products"] = f"{API}/products?type={product.type}&page_size=2"
        paths[f"{API}/products/{{code}}"] = f"{API}/products/{product.code}"
    mapping = (
        SubUnitGroupMapping.objects.filter(occupation=occupation, is_primary=True)
        .select_related("sub_unit_group")
        .first()
    )
    if mapping is not None:
        unit, suffix = mapping.sub_unit_group.code.split("/")
        paths[f"{API}/soc/2020/{{unit}}/{{suffix}}"] = f"{API}/soc/2020/{unit}/{suffix}"
    latest = Release.objects.latest_number()
    if latest:
        paths[f"{API}/releases"] = f"{API}/releases?page_size=2"
        paths[f"{API}/releases/{{number}}"] = f"{API}/releases/{latest}"
    for version in (2010, 2020):
        key = f"{API}/soc/{version}/{{code}}"
        if key not in paths and (
            group := SocGroup.objects.filter(version=version, level="unit").order_by("code").first()
        ):
            paths[key] = f"{API}/soc/{version}/{group.code}"
    return paths


def call(request, path: str) -> Example:
    """GET ``path`` from the API's own view, as if the reader had asked for it."""
    sub_request = RequestFactory().get(
        path, headers={"host": request.get_host()}, secure=request.is_secure()
    )
    match = resolve(sub_request.path_info)
    response = match.func(sub_request, *match.args, **match.kwargs)
    body = json.loads(response.content)
    short = shorten(body)
    return Example(path=path, status=response.status_code, body=short, shortened=short != body)


def shorten(value):
    if isinstance(value, list):
        return [shorten(v) for v in value[:SHORT_LIST]]
    if isinstance(value, dict):
        return {k: shorten(v) for k, v in value.items()}
    if isinstance(value, str) and len(value) > SHORT_TEXT:
        return value[: SHORT_TEXT - 1].rstrip() + "…"
    return value


ORDER = [
    ("/version", "version"),
    ("/routes", "routes"),
    ("/routes/{slug}", "route"),
    ("/occupations", "occupations"),
    ("/occupations/{code}", "occupation"),
    ("/products", "products"),
    ("/products/{code}", "product"),
    ("/soc/{version}", "soc-groups"),
    ("/soc/2010/{code}", "soc2010-group"),
    ("/soc/2020/{code}", "soc2020-group"),
    ("/soc/2020/{unit}/{suffix}", "sub-unit-group"),
    ("/suggest", "suggest"),
    ("/releases", "releases"),
    ("/releases/{number}", "release"),
]


def endpoints(request, openapi: dict) -> list[Endpoint]:
    """Every endpoint, documented from the OpenAPI schema, with a live example."""
    paths = example_paths()
    documented = []
    for suffix, anchor in ORDER:
        template = API + suffix
        endpoint = Endpoint(
            template=template,
            anchor=anchor,
            example_path=paths.get(template),
            operation=openapi["paths"][template]["get"],
        )
        if endpoint.example_path:
            endpoint.example = call(request, endpoint.example_path)
        documented.append(endpoint)
    # An endpoint missing from ORDER is still listed, without an example (a test checks).
    for template in sorted(set(openapi["paths"]) - {API + suffix for suffix, _ in ORDER}):
        anchor = template.removeprefix(API + "/").replace("/", "-").strip("{}")
        documented.append(
            Endpoint(template=template, anchor=anchor, operation=openapi["paths"][template]["get"])
        )
    return documented


def error_examples(request) -> list[Example]:
    return [
        call(request, f"{API}/occupations/OCC0000"),
        call(request, f"{API}/occupations?status=9&level=8"),
    ]
