"""docker-compose.yml and the Dockerfile (Docker itself does not run here, so check their shape)."""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_it_runs_web_worker_and_beat_from_one_image(compose):
    services = compose["services"]
    python_services = [services[name] for name in ("web", "worker", "beat")]

    assert {service["image"] for service in python_services} == {"handoff-portal:local"}
    assert all(service["build"] == "." for service in python_services)
    assert "gunicorn config.wsgi:application" in " ".join(services["web"]["command"])
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]


def test_it_migrates_and_collects_static_files_before_serving(compose):
    script = " ".join(compose["services"]["web"]["command"])

    assert script.index("migrate") < script.index("collectstatic") < script.index("gunicorn")


def test_it_has_healthchecks_on_the_database_and_redis(compose):
    services = compose["services"]

    assert services["db"]["image"] == "postgres:16"
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert services["redis"]["image"] == "redis:7"
    assert "ping" in services["redis"]["healthcheck"]["test"]
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["db"]["condition"] == "service_healthy"
        assert services[name]["depends_on"]["redis"]["condition"] == "service_healthy"


def test_it_catches_mail_locally(compose):
    assert "mailpit" in compose["services"]["mail"]["image"]
    assert compose["services"]["web"]["environment"]["EMAIL_URL"] == "smtp://mail:1025"


def test_it_runs_the_production_settings_with_known_variables(compose):
    env = compose["services"]["web"]["environment"]
    listed = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), flags=re.MULTILINE))

    assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    assert env["REDIS_URL"].startswith("redis://redis:")
    assert env["DATABASE_URL"].startswith("postgres://")
    assert set(env) <= listed


def test_it_builds_a_python_311_image_that_runs_as_a_user():
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert "FROM python:3.11" in dockerfile
    assert "pip install -r requirements.txt" in dockerfile
    assert re.search(r"^USER \w+", dockerfile, flags=re.MULTILINE)


def test_it_keeps_local_state_and_secrets_out_of_the_image():
    ignored = (ROOT / ".dockerignore").read_text().split()

    assert {".git", ".venv", ".env", "db.sqlite3*"} <= set(ignored)
