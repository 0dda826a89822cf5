"""What differs between two states of the maps (``changes.snapshot``), as :class:`Change` rows.

The same comparison makes a release (the state before a write against the state after) and the
combined difference of a range of releases (each record's first state before the range against
its last state after it), so the two cannot disagree.
"""

from __future__ import annotations

from changes.models import KIND_ORDER, Change, Kind, RecordState
from changes.snapshot import State

#: What an added or removed occupation's row carries.
HEADLINE = ("title", "level", "status")


def compare(before: State, after: State) -> tuple[list[Change], list[RecordState]]:
    """The differences (unsaved, in display order) and the changed records' states."""
    changes: list[Change] = []
    states: list[RecordState] = []
    old_occupations, new_occupations = before["occupations"], after["occupations"]
    # A link to an occupation added or removed comes or goes with it: that is one difference.
    links_seen = {
        (code, other)
        for code in old_occupations.keys() ^ new_occupations.keys()
        for other in (new_occupations.get(code) or old_occupations.get(code))["progression"]
    }
    for code in sorted(old_occupations.keys() | new_occupations.keys()):
        old, new = old_occupations.get(code), new_occupations.get(code)
        if old == new:
            continue
        states.append(
            RecordState(scope=RecordState.Scope.OCCUPATION, key=code, before=old, after=new)
        )
        changes += occupation_changes(code, old, new, links_seen)
    old_routes, new_routes = before["routes"], after["routes"]
    for key in sorted(old_routes.keys() | new_routes.keys(), key=int):
        old, new = old_routes.get(key), new_routes.get(key)
        if old == new:
            continue
        states.append(RecordState(scope=RecordState.Scope.ROUTE, key=key, before=old, after=new))
        changes += route_changes(old, new)
    changes.sort(
        key=lambda c: (
            not c.route_name,
            c.route_name,
            bool(c.occupation_code),
            c.occupation_code,
            KIND_ORDER[c.kind],
            c.subject,
        )
    )
    for sequence, change in enumerate(changes):
        change.sequence = sequence
    return changes, states


def occupation_changes(
    code: str, old: dict | None, new: dict | None, links_seen: set[tuple[str, str]]
) -> list[Change]:
    current = new or old
    place = current["place"] or {}
    old_place = (old or {}).get("place") or {}

    def change(kind: str, subject: str = "", old_value=None, new_value=None) -> Change:
        return Change(
            kind=kind,
            occupation_code=code,
            occupation_title=current["title"],
            route_slug=place.get("route", ""),
            route_name=place.get("route_name", ""),
            from_route_slug=(
                old_place.get("route", "")
                if kind == Kind.MOVED and old_place.get("route") != place.get("route")
                else ""
            ),
            subject=subject,
            old=old_value,
            new=new_value,
        )

    if old is None:
        return [change(Kind.ADDED, new_value={name: new[name] for name in HEADLINE})]
    if new is None:
        return [change(Kind.REMOVED, old_value={name: old[name] for name in HEADLINE})]
    found = []
    if old["title"] != new["title"]:
        found.append(change(Kind.RENAMED, old_value=old["title"], new_value=new["title"]))
    if old["level"] != new["level"]:
        found.append(change(Kind.LEVEL, old_value=old["level"], new_value=new["level"]))
    if old["status"] != new["status"]:
        found.append(change(Kind.STATUS, old_value=old["status"], new_value=new["status"]))
    if place_of(old) != place_of(new):
        found.append(change(Kind.MOVED, old_value=old["place"], new_value=new["place"]))

    old_products, new_products = old["products"], new["products"]
    for product in sorted(old_products.keys() | new_products.keys()):
        was, now = old_products.get(product), new_products.get(product)
        if was is None:
            found.append(change(Kind.PRODUCT_ADDED, product, new_value=now))
        elif now is None:
            found.append(change(Kind.PRODUCT_REMOVED, product, old_value=was))
        elif was["status"] != now["status"]:
            found.append(
                change(
                    Kind.PRODUCT_STATUS, product, old_value=was["status"], new_value=now["status"]
                )
            )

    # A link is one difference, listed under the first of its two ends to be compared.
    for kind, others in (
        (Kind.PROGRESSION_ADDED, set(new["progression"]) - set(old["progression"])),
        (Kind.PROGRESSION_REMOVED, set(old["progression"]) - set(new["progression"])),
    ):
        for other in sorted(others):
            if (other, code) not in links_seen and (code, other) not in links_seen:
                links_seen.add((code, other))
                found.append(change(kind, other))

    for kind, name in ((Kind.SOC2010, "soc2010"), (Kind.SOC2020, "soc2020")):
        if old[name] != new[name]:
            found.append(
                change(kind, new[name] or old[name], old_value=old[name], new_value=new[name])
            )
    found += [
        change(kind, value)
        for name, added, removed in (
            ("sub_unit_groups", Kind.SUB_UNIT_GROUP_ADDED, Kind.SUB_UNIT_GROUP_REMOVED),
            ("job_titles", Kind.JOB_TITLE_ADDED, Kind.JOB_TITLE_REMOVED),
        )
        for kind, values in (
            (added, set(new[name]) - set(old[name])),
            (removed, set(old[name]) - set(new[name])),
        )
        for value in sorted(values)
    ]
    return found


def place_of(state: dict) -> tuple | None:
    place = state["place"]
    if place is None:
        return None
    return (place["route"], place["pathway_id"], place["cluster_id"])


def route_changes(old: dict | None, new: dict | None) -> list[Change]:
    current = new or old

    def change(kind: str, subject: str = "", old_value=None, new_value=None) -> Change:
        return Change(
            kind=kind,
            route_slug=current["slug"],
            route_name=current["name"],
            subject=subject,
            old=old_value,
            new=new_value,
        )

    if old is None:
        return [change(Kind.ROUTE_ADDED, new_value=new["name"])]
    if new is None:
        return [change(Kind.ROUTE_REMOVED, old_value=old["name"])]
    found = []
    if old["name"] != new["name"]:
        found.append(change(Kind.ROUTE_RENAMED, old_value=old["name"], new_value=new["name"]))
    for name, kinds in (
        ("pathways", (Kind.PATHWAY_ADDED, Kind.PATHWAY_REMOVED, Kind.PATHWAY_RENAMED)),
        ("clusters", (Kind.CLUSTER_ADDED, Kind.CLUSTER_REMOVED, Kind.CLUSTER_RENAMED)),
    ):
        added, removed, renamed = kinds
        was_all, now_all = old[name], new[name]
        for key in sorted(was_all.keys() | now_all.keys(), key=int):
            was, now = was_all.get(key), now_all.get(key)
            if was is None:
                found.append(change(added, key, new_value=now))
            elif now is None:
                found.append(change(removed, key, old_value=was))
            elif label(was) != label(now):
                found.append(change(renamed, key, old_value=was, new_value=now))
    return found


def label(value) -> str:
    """A pathway's name, or a cluster's ({"name", "pathway"})."""
    return value["name"] if isinstance(value, dict) else value


def combined(states: list[RecordState]) -> tuple[list[Change], list[RecordState]]:
    """The net difference of several releases' states (in release order): each record's first
    state before against its last state after."""
    before: State = {"occupations": {}, "routes": {}}
    after: State = {"occupations": {}, "routes": {}}
    for state in states:
        scope = "occupations" if state.scope == RecordState.Scope.OCCUPATION else "routes"
        if state.key not in before[scope] and state.key not in after[scope]:
            before[scope][state.key] = state.before
        after[scope][state.key] = state.after
    for scope in ("occupations", "routes"):
        for side in (before, after):
            side[scope] = {key: value for key, value in side[scope].items() if value is not None}
    return compare(before, after)
