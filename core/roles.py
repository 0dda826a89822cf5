"""The staff roles: "Map editors" edit the map and the mappings; "Viewers" only look."""

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

MAP_EDITORS = "Map editors"
VIEWERS = "Viewers"
APPS = ("routes", "occupations", "socmapping", "occmaps")
#: Map editors may not delete these: they carry the whole map below them.
NOT_DELETED_BY_EDITORS = {"routes.delete_route", "routes.delete_pathway"}
#: Nor edit these: the ONS classification and the import log.
VIEW_ONLY_FOR_EDITORS = {
    "socmapping.socgroup",
    "socmapping.subunitgroup",
    "socmapping.socindexpair",
    "occmaps.importrecord",
    "occupations.localedit",
}


def setup_roles() -> dict[str, int]:
    """Create or bring up to date both groups; safe to run again. Returns permission counts."""
    content_types = ContentType.objects.filter(app_label__in=APPS)
    permissions = Permission.objects.filter(content_type__in=content_types).select_related(
        "content_type"
    )
    editor, viewer = [], []
    for permission in permissions:
        model = f"{permission.content_type.app_label}.{permission.content_type.model}"
        label = f"{permission.content_type.app_label}.{permission.codename}"
        if permission.codename.startswith("view_"):
            viewer.append(permission)
            editor.append(permission)
        elif (
            model not in VIEW_ONLY_FOR_EDITORS
            and label not in NOT_DELETED_BY_EDITORS
            and permission.codename.split("_", 1)[0] in {"add", "change", "delete"}
        ):
            editor.append(permission)
    counts = {}
    for name, granted in ((MAP_EDITORS, editor), (VIEWERS, viewer)):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(granted)
        counts[name] = len(granted)
    return counts


def setup_roles_after_migrate(sender, **kwargs) -> None:
    """Keep the roles current after every migrate (new models bring new permissions)."""
    if sender.label == "occmaps":
        setup_roles()
