"""docker-compose.yml, the Caddyfile, the Dockerfile and the lock files (Docker does not run here, so
check their shape; `docker compose config` validates the file where Docker Compose v2 is installed)."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("migrate", "web", "worker", "beat")
LONG_RUNNING = ("web", "worker", "beat", "proxy", "db", "redis", "cache")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _command(service: dict) -> str:
    command = service["command"]
    return command if isinstance(command, str) else " ".join(command)


def test_it_runs_web_worker_beat_and_migrate_from_one_image(compose):
    services = compose["services"]

    assert {services[name]["image"] for name in APP_SERVICES} == {"handoff-portal:local"}
    assert all(services[name]["build"] == "." for name in APP_SERVICES)
    assert _command(services["web"]).startswith("gunicorn config.wsgi:application")
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]


def test_a_proxy_stands_before_the_web_replicas_which_publish_no_port(compose):
    services = compose["services"]
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()

    assert services["proxy"]["image"].startswith("caddy:")
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in services["proxy"]["volumes"]
    assert any(port.endswith(":80") for port in services["proxy"]["ports"])
    assert "reverse_proxy" in caddyfile and "name web" in caddyfile and "port 8000" in caddyfile
    # `--scale web=3 --scale worker=2`: nothing that two containers of one service could not share.
    for name in ("web", "worker", "beat", "migrate"):
        assert "ports" not in services[name], f"{name} publishes a port"
        assert "container_name" not in services[name]
    assert services["web"]["environment"]["TRUSTED_PROXY_COUNT"] == "${TRUSTED_PROXY_COUNT:-1}"


def test_migrations_run_once_in_a_one_shot_service_the_others_wait_for(compose):
    services = compose["services"]
    migrate = services["migrate"]

    assert migrate["restart"] == "no"
    assert "python manage.py migrate --noinput" in _command(migrate)
    assert "seed_demo" in _command(migrate)
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert "migrate" not in _command(services[name])
    # Static files are in the image: collected at build time, not by each replica.
    assert "collectstatic" in (ROOT / "Dockerfile").read_text()


def test_every_variable_of_the_env_file_reaches_the_containers(compose):
    listed = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), flags=re.MULTILINE))
    for name in APP_SERVICES:
        service = compose["services"][name]
        assert service["env_file"] == [{"path": ".env", "required": False}]
        env = service["environment"]
        assert set(env) <= listed, set(env) - listed
        # Each value is `${NAME:-default}`: .env wins, the default makes the local stack.
        for key, value in env.items():
            assert str(value).startswith(f"${{{key}:-"), f"{name}: {key}={value}"


def test_every_long_running_service_has_a_healthcheck(compose):
    services = compose["services"]

    for name in LONG_RUNNING:
        assert services[name].get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
    assert "/healthz/ready" in " ".join(services["web"]["healthcheck"]["test"])
    assert "inspect ping" in " ".join(services["worker"]["healthcheck"]["test"])
    assert "handoff:redbeat:lock" in " ".join(services["beat"]["healthcheck"]["test"])
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["db"]["condition"] == "service_healthy"
        assert services[name]["depends_on"]["redis"]["condition"] == "service_healthy"
        assert services[name]["depends_on"]["cache"]["condition"] == "service_healthy"


def test_the_broker_keeps_its_queues_and_the_cache_evicts(compose):
    services = compose["services"]
    broker, cache = _command(services["redis"]), _command(services["cache"])

    assert "--maxmemory-policy noeviction" in broker and "--appendonly yes" in broker
    assert "--maxmemory-policy allkeys-lru" in cache and "--maxmemory" in cache


def test_it_catches_mail_locally(compose):
    assert "mailpit" in compose["services"]["mail"]["image"]
    assert compose["services"]["web"]["environment"]["EMAIL_URL"] == "${EMAIL_URL:-smtp://mail:1025}"


def test_it_runs_the_production_settings(compose):
    env = compose["services"]["web"]["environment"]

    assert env["DJANGO_SETTINGS_MODULE"] == "${DJANGO_SETTINGS_MODULE:-config.settings.production}"
    assert env["REDIS_URL"] == "${REDIS_URL:-redis://redis:6379/0}"
    assert env["CACHE_URL"] == "${CACHE_URL:-redis://cache:6379/0}"


def test_docker_compose_validates_the_file():
    docker = shutil.which("docker")
    if docker is None or subprocess.run([docker, "compose", "version"], capture_output=True, check=False).returncode:
        pytest.skip("Docker Compose v2 is not installed (`docker compose config` validates the file where it is)")
    result = subprocess.run(
        [docker, "compose", "config", "--quiet"], cwd=ROOT, capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_it_builds_a_multi_stage_python_311_image_from_the_lock_that_runs_as_a_user():
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert dockerfile.count("FROM python:3.11-slim") == 2
    assert "pip wheel --require-hashes --wheel-dir /wheels -r requirements.txt" in dockerfile
    assert "pip install --no-index" in dockerfile
    assert re.search(r"^USER \w+", dockerfile, flags=re.MULTILINE)


def test_the_requirements_are_a_lock_with_hashes_generated_from_pyproject():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for name, extra in (("requirements.txt", []), ("requirements-dev.txt", project["optional-dependencies"]["dev"])):
        text = (ROOT / name).read_text()
        assert text.startswith("# This file was autogenerated by uv"), name
        assert "make lock" in text.splitlines()[1]
        pins = re.findall(r"^([A-Za-z0-9_.\[\],-]+)==\S+ \\$", text, flags=re.MULTILINE)
        assert pins, name
        assert text.count("==") == len(pins), f"{name}: a requirement is not pinned"
        assert text.count("--hash=sha256:") >= len(pins)
        declared = {re.split(r"[\[<>=]", line)[0].lower() for line in [*project["dependencies"], *extra]}
        locked = {re.split(r"\[", pin)[0].lower() for pin in pins}
        assert declared <= locked, f"{name}: not locked: {declared - locked}"


def test_it_keeps_local_state_and_secrets_out_of_the_image():
    ignored = (ROOT / ".dockerignore").read_text().split()

    assert {".git", ".venv", ".env", "db.sqlite3*"} <= set(ignored)
