# The platform's image: gunicorn serves the web app (static files through
# whitenoise); the same image runs the Celery worker and beat (docker-compose.yml).
FROM python:3.12-slim

# The code runs from /app (PYTHONPATH), not from site-packages: only the
# dependencies are installed.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PYTHONPATH=/app \
    VAR_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles

WORKDIR /app

# WeasyPrint (the school file as PDF) lays text out with Pango; Noto CJK gives it
# the Chinese glyphs. From Debian's packages, not fetched at run time.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

# pip 26+ understands --build-constraint, which the xstatic-bootstrap sdist
# needs to build with an older setuptools.
RUN pip install --upgrade "pip>=26"

# The dependencies first, in a layer of their own, so that a change to the
# code does not reinstall them.
COPY pyproject.toml ./
COPY constraints/ constraints/
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install --build-constraint constraints/build.txt -r /tmp/requirements.txt \
    && pip install --no-deps -r constraints/no-deps.txt \
    && rm /tmp/requirements.txt

COPY . .

# Static files are collected into the image (whitenoise serves them with
# hashed names). Settings need keys to import: throwaway ones, written to a
# throwaway VAR_DIR, so that no key is baked into the image.
RUN SECRET_KEY=collectstatic-only ID_NUMBER_HASH_KEY=collectstatic-only VAR_DIR=/tmp/build-var \
        python manage.py collectstatic --noinput --verbosity 0 \
    && rm -rf /tmp/build-var \
    && useradd --system --uid 1000 --home-dir /app app \
    && mkdir -p /app/var \
    && chown app /app/var

USER app
EXPOSE 8000

# Migrations are not run here: docker-compose's one-shot migrate service runs
# them once, before any web, worker or beat container starts.
CMD ["sh", "-c", "exec gunicorn campussafety.wsgi --bind 0.0.0.0:8000 --workers ${GUNICORN_WORKERS:-3} --access-logfile -"]
