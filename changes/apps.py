from django.apps import AppConfig


class ChangesConfig(AppConfig):
    """Releases: what each import or staff edit changed on the maps (``docs/changes.md``).

    It connects its recorder to the kernel's hook (``core.releases``), which the import machinery
    and the admin's save path call, so neither needs to import this app.
    """

    name = "changes"
    verbose_name = "Releases"

    def ready(self):
        from changes.recorder import ReleaseRecorder
        from core import releases

        releases.connect(ReleaseRecorder())
