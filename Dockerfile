# occmaps: a two-stage image. Build: docker build -t occmaps .
# Run:   docker run -p 8000:8000 -e SECRET_KEY=... -e ALLOWED_HOSTS=maps.example.org \
#          -e DATABASE_URL=postgres://user:password@db/occmaps occmaps

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir --upgrade pip \
 && pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PORT=8000
RUN groupadd --system occmaps && useradd --system --gid occmaps --home /app occmaps
WORKDIR /app
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
COPY --chown=occmaps:occmaps . .
# Static files are collected at build time; the settings need placeholder values to load.
RUN SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost python manage.py collectstatic --no-input \
 && rm -f db.sqlite3
USER occmaps
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import os, urllib.request; urllib.request.urlopen(urllib.request.Request('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), headers={'Host': os.environ.get('ALLOWED_HOSTS', 'localhost').split(',')[0], 'X-Forwarded-Proto': 'https'}), timeout=4)" || exit 1
CMD ["gunicorn", "--config", "gunicorn.conf.py", "occmaps.wsgi:application"]
