"""gunicorn settings, read from the environment so that one image fits every machine."""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{_int('PORT', 8000)}")
# Pages are rendered from a few queries and cached: workers are CPU-bound, threads cover I/O.
workers = _int("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1)
# Threaded workers: keep-alive connections, and a thread's wait on the database does not hold
# up the worker's other requests.
worker_class = "gthread"
threads = _int("GUNICORN_THREADS", 2)
# For a threaded worker this only ends a worker whose own loop is stuck: gunicorn cannot end one
# request of a thread that waits. The app bounds those waits itself: on PostgreSQL to connect
# (DATABASE_CONNECT_TIMEOUT) and for each statement (DATABASE_STATEMENT_TIMEOUT, plus a second
# on the app's side for a database that hangs), on Redis by socket timeouts, so a request whose
# database does not answer gets a 503 within seconds. A sync worker's timeout would end a stuck
# request only by killing its worker (the client gets no answer at all), and no sooner than
# the slowest sound request (a download built under load takes 10 s).
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle workers now and then so that no slow leak can grow; jitter avoids all at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 5000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 500)
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None  # empty: no access log
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR") or None
