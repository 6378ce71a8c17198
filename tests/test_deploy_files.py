"""The production files: linted, consistent with each other, and the server they describe runs.

No Docker daemon is needed: hadolint checks the Dockerfile, the compose file and the systemd
units are read as data, and the image's commands (pip, pybabel, init-db, gunicorn with
gunicorn.conf.py) are run here as the image would run them.
"""

import configparser
import json
import os
import shlex
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import yaml
from prometheus_client.parser import text_string_to_metric_families

from tests.support.mail import free_port

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SERVER = ["gunicorn", "--config", "gunicorn.conf.py", "app:app"]


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(instruction, arguments) with continuation lines joined and comments dropped."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def test_the_dockerfile_passes_hadolint():
    result = subprocess.run(
        [str(BIN / "hadolint"), "--failure-threshold", "info", "Dockerfile"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_image_runs_the_commands_the_tests_run(tmp_path):
    steps = dockerfile_instructions()
    [base] = [args for name, args in steps if name == "FROM"]
    assert base.startswith("python:3.11-slim")
    [user] = [args for name, args in steps if name == "USER"]
    assert not user.startswith("0") and user.split(":")[0].isdigit()
    runs = " && ".join(args for name, args in steps if name == "RUN")
    assert "pip install --no-cache-dir -r requirements.txt" in runs
    assert "pybabel compile -d translations" in runs
    [command] = [json.loads(args) for name, args in steps if name == "CMD"]
    assert command == SERVER
    # The image's translation step, on a copy: every catalogue compiles.
    copy = tmp_path / "translations"
    subprocess.run(["cp", "-r", str(ROOT / "translations"), str(copy)], check=True)
    compiled = subprocess.run(
        [str(BIN / "pybabel"), "compile", "-d", str(copy), "--statistics"],
        capture_output=True,
        text=True,
    )
    assert compiled.returncode == 0, compiled.stderr
    assert {p.parent.parent.name for p in copy.glob("*/LC_MESSAGES/messages.mo")} >= {"nl", "nb"}
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", "instance", ".env"} <= set(ignored)


def test_compose_runs_the_app_worker_database_and_mail_with_health_checks():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert {"db", "init", "app", "worker", "mail", "proxy"} == set(services)
    for name in ("db", "app", "worker", "mail", "proxy"):
        check = services[name]["healthcheck"]["test"]
        assert check[0] in ("CMD", "CMD-SHELL") and len(check) > 1, name
    assert services["app"]["command"] == SERVER
    assert "/readyz" in " ".join(services["app"]["healthcheck"]["test"])
    assert services["worker"]["command"] == ["flask", "--app", "app", "consent", "worker"]
    assert services["init"]["command"] == [
        "flask", "--app", "app", "consent", "init-db", "--grant-to", "consent_app"
    ]  # fmt: skip
    # The owner migrates and grants; the server and the worker run as the application role,
    # which the database's first start creates (docs/production.md).
    assert "://consent:" in services["init"]["environment"]["DATABASE_URL"]
    [script] = [v.split(":")[0] for v in services["db"]["volumes"] if "initdb" in v]
    assert "CREATE ROLE consent_app LOGIN" in (ROOT / script).read_text()
    assert subprocess.run(["sh", "-n", str(ROOT / script)]).returncode == 0
    for name in ("app", "worker"):
        assert services[name]["depends_on"]["init"]["condition"] == (
            "service_completed_successfully"
        )
        environment = services[name]["environment"]
        assert environment["CONSENT_ENV"] == "production"
        assert environment["DATABASE_URL"].startswith("postgresql+psycopg://consent_app:")
        assert "@db:5432/" in environment["DATABASE_URL"]
        assert environment["SMTP_HOST"] == "mail"
        assert environment["PROXY_COUNT"] == "1"
    assert services["init"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["db"]["image"].startswith("postgres:15")
    [caddyfile] = [v.split(":")[0] for v in services["proxy"]["volumes"] if "Caddyfile" in v]
    assert "reverse_proxy app:8000" in (ROOT / caddyfile).read_text()


def test_the_systemd_units_run_the_same_server_and_worker():
    units = {}
    for name in ("consent-web", "consent-worker"):
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.read(ROOT / "deploy" / "systemd" / f"{name}.service")
        units[name] = parser
        assert parser["Service"]["User"] == "consent"
        assert "EnvironmentFile" in parser["Service"]
        assert "postgresql.service" in parser["Unit"]["After"]
    web = shlex.split(units["consent-web"]["Service"]["ExecStart"])
    assert web[0].endswith("/gunicorn") and web[1:] == SERVER[1:]
    worker = shlex.split(units["consent-worker"]["Service"]["ExecStart"])
    assert worker[0].endswith("/flask") and worker[1:] == ["--app", "app", "consent", "worker"]


def _production_environment(tmp_path, port) -> dict:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PROMETHEUS", "DATABASE", "SECRET", "METRICS", "LOG_"))
    }
    environment.update(
        CONSENT_ENV="production",
        DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite'}",
        SECRET_KEYS="a-production-secret-key-of-enough-length-1",
        EMAIL_HASH_KEY="a-production-email-hash-key-long-enough-2",
        CHECKPOINT_SIGNING_KEYS="a-production-checkpoint-key-long-enough-3",
        PUBLIC_BASE_URL="https://prefs.example.test",
        METRICS_TOKEN="a-metrics-token-that-is-long-enough-000",
        TMPDIR=str(tmp_path),  # where gunicorn.conf.py makes the metrics directory
        BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="2",
        LOG_FORMAT="json",
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    return environment


def _get(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_gunicorn_serves_health_metrics_and_redacted_logs_with_its_config(tmp_path):
    port = free_port()
    environment = _production_environment(tmp_path, port)
    migrated = subprocess.run(
        [str(BIN / "flask"), "--app", "app", "consent", "init-db"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert migrated.returncode == 0, migrated.stderr
    out, err = tmp_path / "stdout.log", tmp_path / "stderr.log"
    with out.open("w") as stdout, err.open("w") as stderr:
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), *SERVER[1:]],
            cwd=ROOT,
            env=environment,
            stdout=stdout,
            stderr=stderr,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_until_up(base, server, err)
            status, body = _get(f"{base}/readyz")
            assert status == 200 and json.loads(body) == {"status": "ready"}
            token = "eyJzdWJqZWN0IjoiYWJjIn0.Zm9vYmFy"
            assert _get(f"{base}/preferences/{token}?email=anna@example.test")[0] == 400
            for _ in range(6):
                assert _get(f"{base}/healthz")[0] == 200
            assert _get(f"{base}/metrics")[0] == 401
            status, text = _get(
                f"{base}/metrics",
                {"Authorization": f"Bearer {environment['METRICS_TOKEN']}"},
            )
            assert status == 200
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(60)
    samples = {
        (sample.name, sample.labels.get("route"), sample.labels.get("status")): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    # Six health checks, answered by either of the two workers, added up across both.
    assert samples[("consent_http_requests_total", "/healthz", "200")] == 6
    assert samples[("consent_http_requests_total", "/preferences/<token>", "400")] == 1

    # The metrics directory gunicorn.conf.py made for this server went with it.
    assert not list(tmp_path.glob("consent-metrics-*"))
    written = out.read_text() + err.read_text()
    assert token not in written and "anna@example.test" not in written
    lines = [json.loads(line) for line in written.splitlines() if line.strip()]
    access = [line for line in lines if line["logger"] == "gunicorn.access"]
    assert "/preferences/[token]" in [line["path"] for line in access]
    assert all(line["request_id"] for line in access)
    assert any(line["logger"] == "consent.request" for line in lines)


def _wait_until_up(base, server, err):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, err.read_text()
        try:
            if _get(f"{base}/readyz")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not answer: " + err.read_text())
