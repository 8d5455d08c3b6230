"""Running on several machines (SPEC §7.8, issue 17), without Docker: two gunicorn instances, two Celery
workers and two beats against one PostgreSQL (the test database) and one Redis (a private
redis-server: the broker in db 0, the shared caches in db 1, as the settings derive them).

Proves, in one run of the whole stack (about a minute):
- a session made on one instance works on the other;
- the login lockout and the API token throttle count across both;
- a page and an API answer are the same from both right after a write on either;
- killing one web instance with SIGKILL mid-load loses no acknowledged write (the load client retries
  on the other instance, and every write acknowledged with a 201 is in the database);
- two beats send each periodic job once (celery-redbeat's lock), and an e-mail of the outbox is
  delivered once.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection

from tests.quality.faults import (
    ROOT,
    VENV_BIN,
    RedisServer,
    StallingSMTP,
    _terminate,
    django_env,
    free_port,
    port_open,
    redis_server_reason,
    wait_for,
)
from tests.services import require

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "several-machines-pass-1"
SWEEP_SECONDS = 2


class Process:
    def __init__(self, name: str, command: list[str], env: dict[str, str], logs: Path) -> None:
        self.name = name
        self.log = logs / f"{name}.log"
        with open(self.log, "w") as out:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out, start_new_session=True)

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL the whole process group: the master and its workers, mid-request."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        _terminate(self.process)


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[dict]:
    require(redis_server_reason())
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    redis = RedisServer().start()
    smtp = StallingSMTP().start()
    database = connection.settings_dict
    env = django_env(
        DATABASE_URL=f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        REDIS_URL=redis.url,
        EMAIL_URL=smtp.url,
        LOG_LEVEL="INFO",
        NOTIFICATIONS_SWEEP_SECONDS=str(SWEEP_SECONDS),
        DATABASE_CONN_MAX_AGE="0",
    )
    processes: list[Process] = []
    webs = []
    try:
        for name in ("web-a", "web-b"):
            port = free_port()
            command = [str(VENV_BIN / "gunicorn"), "config.wsgi", "--workers", "1", "--threads", "4"]
            command += ["--bind", f"127.0.0.1:{port}", "--timeout", "60"]
            processes.append(Process(name, command, env, tmp_path))
            webs.append((processes[-1], f"http://127.0.0.1:{port}", port))
        for name in ("worker-a", "worker-b"):
            command = [str(VENV_BIN / "celery"), "-A", "config", "worker", "--pool", "solo", "--loglevel", "INFO"]
            command += ["--without-mingle", "--without-gossip", "--hostname", f"{name}@%h"]
            processes.append(Process(name, command, env, tmp_path))
        for name in ("beat-a", "beat-b"):
            command = [str(VENV_BIN / "celery"), "-A", "config", "beat", "--loglevel", "INFO"]
            processes.append(Process(name, command, env, tmp_path))
        for process, _, port in webs:
            assert wait_for(lambda port=port: port_open(port), timeout=60), process.text()[-2000:]
        for process in processes:
            if process.name.startswith("worker"):
                assert wait_for(lambda process=process: " ready." in process.text(), timeout=60), process.text()[-2000:]
        yield {"webs": webs, "processes": {p.name: p for p in processes}, "smtp": smtp, "redis": redis}
    finally:
        for process in processes:
            process.stop()
        smtp.stop()
        redis.close()


def _log_in(base: str, username: str, password: str) -> tuple[requests.Session, requests.Response]:
    browser = requests.Session()
    form = browser.get(f"{base}/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)[1]
    response = browser.post(
        f"{base}/login/",
        {"username": username, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/login/"},
        allow_redirects=False,
        timeout=10,
    )
    return browser, response


def _comparable(body: dict) -> dict:
    return {key: value for key, value in body.items() if key not in {"links"}}


def test_two_instances_two_workers_and_two_beats_behave_as_one_machine(stack):
    from django.contrib.contenttypes.models import ContentType
    from django.test import override_settings
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from handoff.models import Offer
    from notifications.models import Channel, DeliveryStatus, Notification
    from tests.factories import ClientFactory, UserFactory

    (web_a, a, _), (_, b, _) = stack["webs"]
    # Hashed as the instances (base settings) check passwords, not with the tests' fast MD5.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"]):
        rep = UserFactory(username="mx_rep", roles=["sales"], password=PASSWORD)
        UserFactory(username="mx_victim", roles=["sales"], password=PASSWORD)
    client = ClientFactory(account_owner=rep)
    token = Token.objects.create(user=rep).key
    api = {"Authorization": f"Token {token}"}

    # --- A session made on A works on B.
    browser, response = _log_in(a, "mx_rep", PASSWORD)
    assert response.status_code == 302, response.text[:500]
    on_b = browser.get(f"{b}/", allow_redirects=False, timeout=10)
    assert on_b.status_code == 200, on_b.headers.get("Location")

    # --- The lockout counts across both instances: failures alternate between A and B.
    for index in range(settings.AXES_FAILURE_LIMIT):
        _log_in((a, b)[index % 2], "mx_victim", "wrong-password")
    assert _log_in(a, "mx_victim", PASSWORD)[1].status_code == 429
    assert _log_in(b, "mx_victim", PASSWORD)[1].status_code == 429

    # --- Right after a write on either instance, both answer the same (page cache and API).
    for writer, reader in ((a, b), (b, a)):
        created = requests.post(
            f"{writer}/api/v1/offers/",
            json={"client": client.pk, "title": f"Written on {writer}"},
            headers=api,
            timeout=10,
        )
        assert created.status_code == 201, created.text[:500]
        offer_id = created.json()["id"]
        from_writer = requests.get(f"{writer}/api/v1/offers/{offer_id}/", headers=api, timeout=10)
        from_reader = requests.get(f"{reader}/api/v1/offers/{offer_id}/", headers=api, timeout=10)
        assert from_reader.status_code == from_writer.status_code == 200
        assert _comparable(from_reader.json()) == _comparable(from_writer.json())
        listed = [requests.get(f"{base}/api/v1/offers/", headers=api, timeout=10).json()["count"] for base in (a, b)]
        assert listed[0] == listed[1] == Offer.objects.count()
        pages = [browser.get(f"{base}/offers/{offer_id}/", timeout=10) for base in (reader, writer)]
        assert [page.status_code for page in pages] == [200, 200]
        assert all(f"Written on {writer}" in page.text for page in pages)

    # --- SIGKILL of A mid-load loses no acknowledged write.
    acknowledged: list[str] = []
    lock = threading.Lock()

    def write(number: int) -> None:
        title = f"Load {number}"
        for base in (a, b) if number % 2 else (b, a):
            try:
                response = requests.post(
                    f"{base}/api/v1/offers/", json={"client": client.pk, "title": title}, headers=api, timeout=10
                )
            except requests.RequestException:
                continue  # the instance died under the request: retry on the other one
            if response.status_code == 201:
                with lock:
                    acknowledged.append(title)
                return
            if response.status_code < 500:
                raise AssertionError(f"{base}: {response.status_code} {response.text[:300]}")

    def load(start: int) -> None:
        for number in range(start, start + 20):
            write(number)

    threads = [threading.Thread(target=load, args=(start,)) for start in (0, 100, 200)]
    for thread in threads:
        thread.start()
    wait_for(lambda: len(acknowledged) >= 10, timeout=30)
    web_a.kill()
    for thread in threads:
        thread.join(timeout=60)
    assert len(acknowledged) == 60  # every write got through, on B once A was gone
    stored = set(Offer.objects.filter(title__startswith="Load ").values_list("title", flat=True))
    assert set(acknowledged) <= stored

    # --- The token throttle counts across both instances (B, and A's requests before it died count too).
    statuses = [
        requests.post(
            f"{b}/api/v1/auth/token/", json={"username": "mx_rep", "password": PASSWORD}, timeout=10
        ).status_code
        for _ in range(11)
    ]
    assert statuses[-1] == 429 and 200 in statuses

    # --- Two beats: one holds the lock and sends; an outbox e-mail is delivered once.
    Notification.objects.create(
        recipient=rep,
        event="handoff_pending",
        channel=Channel.EMAIL,
        status=DeliveryStatus.PENDING,
        target_type=ContentType.objects.get_for_model(Offer),
        target_id=Offer.objects.first().pk,
        title="Offer won: a handoff waits",
        sweep_after=timezone.now(),
    )
    assert wait_for(lambda: len(stack["smtp"].messages) >= 1, timeout=30)
    time.sleep(4 * SWEEP_SECONDS + 1)  # several more sweeps: none sends the e-mail again
    beats = [stack["processes"][name].text() for name in ("beat-a", "beat-b")]
    sent = [text.count("Sending due task notifications-sweep-undelivered") for text in beats]
    assert min(sent) == 0, f"both beats sent the sweep: {sent}"  # the second one only waits for the lock
    assert max(sent) >= 2
    assert len(stack["smtp"].messages) == 1
    assert Notification.objects.get(channel=Channel.EMAIL, recipient=rep).status == DeliveryStatus.SENT
