"""Small builders for tests: each makes a valid record, with anything overridable."""

from itertools import count

from occupations.models import Occupation, Product
from routes.models import Cluster, ClusterGroup, Pathway, Route, TechnicalBand

_ids = count(10_000)


def make_route(**fields) -> Route:
    n = next(_ids)
    values = {"api_id": n, "name": f"Route {n}", "slug": f"route-{n}", "sequence": n}
    return Route.objects.create(**(values | fields))


def make_pathway(route: Route | None = None, **fields) -> Pathway:
    n = next(_ids)
    route = route or make_route()
    values = {"api_id": n, "name": f"Pathway {n}", "slug": f"pathway-{n}", "sequence": 0}
    return Pathway.objects.create(route=route, **(values | fields))


def make_cluster(
    pathway: Pathway | None = None, band=TechnicalBand.TECHNICAL, row=None, **fields
) -> Cluster:
    pathway = pathway or make_pathway()
    row = row or ClusterGroup.objects.create(api_id=next(_ids), pathway=pathway, sequence=0)
    n = next(_ids)
    values = {"api_id": n, "name": f"Cluster {n}", "sequence": 0}
    return Cluster.objects.create(pathway=pathway, row=row, band=band, **(values | fields))


def make_occupation(cluster: Cluster | None = None, **fields) -> Occupation:
    n = next(_ids)
    values = {
        "code": f"OCC{n % 10_000:04d}",
        "title": f"Occupation {n}",
        "level": 3,
        "status": Occupation.Status.APPROVED,
    }
    values |= fields
    if cluster is None:
        cluster = make_cluster(band=TechnicalBand.for_level(values["level"]))
    return Occupation.objects.create(cluster=cluster, **values)


def make_product(**fields) -> Product:
    n = next(_ids)
    values = {
        "code": f"ST{n % 10_000:04d}",
        "name": f"Product {n}",
        "type": Product.Type.APPRENTICESHIP,
    }
    return Product.objects.create(**(values | fields))
