# The app's image: the repository on a slim Python, compiled translations, gunicorn as a
# user without privileges. The same image runs the server, the worker and init-db
# (compose.yaml); docs/deploy.md walks through it. The steps are the commands the tests run
# without containers (tests/test_deploy_files.py).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    CONSENT_ENV=production \
    LOG_FORMAT=json

WORKDIR /app
RUN groupadd --system --gid 10001 consent \
    && useradd --system --uid 10001 --gid consent --home-dir /app --shell /usr/sbin/nologin consent

# Dependencies first: this layer is rebuilt only when the pins change.
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
# The .mo files are committed; compiling again proves the catalogues still compile.
RUN pybabel compile -d translations --statistics \
    && mkdir -p instance \
    && chown consent:consent instance

USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["gunicorn", "--config", "gunicorn.conf.py", "app:app"]
