# One image for web (gunicorn), worker, beat and the one-shot migrate service (docker-compose.yml
# picks the command). Two stages: wheels are built (and their hashes checked against the lock) in the
# first; the runtime stage installs only those wheels, without compilers or pip's cache.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /build
COPY requirements.txt ./
# --require-hashes: a package whose hash is not the locked one stops the build.
RUN pip wheel --require-hashes --wheel-dir /wheels -r requirements.txt
# The catalogues, compiled from the .po files with msgfmt (what `manage.py compilemessages` runs), so the
# image never serves a stale committed .mo and the runtime stage needs no gettext.
COPY locale ./locale
RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/* \
    && find locale -name '*.po' -exec sh -c 'msgfmt --check-format -o "${1%.po}.mo" "$1"' _ {} \;

FROM python:3.11-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-index --no-deps /wheels/*.whl

COPY . .
COPY --from=build /build/locale/ ./locale/

# Static files are collected into the image once, at build time (hashed names for WhiteNoise), so every
# replica serves the same files and nothing runs at start-up. The key only satisfies the settings.
RUN SECRET_KEY="collectstatic-at-build-time-only-$(python -c 'import secrets; print(secrets.token_urlsafe(32))')" \
    SITE_URL=http://localhost python manage.py collectstatic --noinput --verbosity 0

RUN useradd --create-home --uid 10001 portal
USER portal

EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--config", "config/gunicorn.conf.py"]
