"""A test-only URLconf: the site's own URLs plus one view that fails, to see how a failure looks
to the visitor (a friendly page) and in the log (a JSON line with the traceback)."""

from django.urls import path

from occmaps.urls import urlpatterns as site_urlpatterns

#: Text that must reach the log and never the visitor.
SECRET_DETAIL = "kaboom-internal-detail-0xDEADBEEF"


def broken_view(request):
    raise RuntimeError(SECRET_DETAIL)


urlpatterns = [path("broken/", broken_view, name="broken"), *site_urlpatterns]
