# EZFlow's one image for every process of a deployment (docs/deployment.md):
#   docker build -t ezflow .
#   docker run … ezflow web | worker | beat | migrate | metrics
# The role names map to the same commands `make run` and the loopback tests start (ezflow_site/container.py).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=ezflow_site.settings \
    DJANGO_DEBUG=0 \
    EZFLOW_DATA_DIR=/var/lib/ezflow \
    EZFLOW_SCHEME=https \
    EZFLOW_PORT=443

# A fixed numeric user, so that runAsNonRoot can check it and volumes can be prepared for it.
RUN groupadd --system --gid 10001 ezflow \
 && useradd --system --uid 10001 --gid ezflow --home-dir /app --no-create-home --shell /usr/sbin/nologin ezflow

WORKDIR /app

# The browser steps (docs/browser.md) drive Debian's Chromium; the Nanum fonts draw Korean pages in their screenshots.
# The OCR step (docs/documents.md) runs Tesseract with its Korean and English models.
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium fonts-nanum tesseract-ocr tesseract-ocr-kor tesseract-ocr-eng \
 && rm -rf /var/lib/apt/lists/*

# Runtime requirements only: everything above the development section of requirements.txt.
COPY requirements.txt ./
RUN sed '/^# Development and tests/,$d' requirements.txt > /tmp/runtime-requirements.txt \
 && pip install -r /tmp/runtime-requirements.txt \
 && rm /tmp/runtime-requirements.txt

COPY manage.py pyproject.toml ./
COPY ezflow_site ./ezflow_site
COPY apps ./apps
COPY templates ./templates
COPY static ./static
COPY locale ./locale

# Static files are collected into the image and served by WhiteNoise. Importing the settings needs a secret key:
# a throwaway one for this step only (it is not kept in any layer), and a scratch data folder.
RUN DJANGO_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    EZFLOW_DATA_DIR=/tmp/build-data \
    python manage.py collectstatic --noinput -v 0 \
 && rm -rf /tmp/build-data \
 && mkdir -p /var/lib/ezflow/files \
 && chown -R ezflow:ezflow /var/lib/ezflow

USER 10001:10001
EXPOSE 8000 9100

# For the web role; compose and Kubernetes give the other roles their own checks.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]

ENTRYPOINT ["python", "-m", "ezflow_site.container"]
CMD ["web"]
