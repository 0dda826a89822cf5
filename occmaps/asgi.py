import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "occmaps.settings")

application = get_asgi_application()

# A web process: no request waits on PostgreSQL longer than the settings allow.
from occmaps.postgresql.base import bound_web_requests  # noqa: E402

bound_web_requests()
