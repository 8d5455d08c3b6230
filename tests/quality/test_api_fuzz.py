"""API fuzzing (issue 7): schemathesis over every operation of /api/schema/, as a rep, a PM and a manager.

Every operation is called with generated valid and invalid input (``mode = all``)
through the real WSGI stack, authenticated with each role's API token, with all
of schemathesis' checks on: no 5xx, status codes, content types, headers and
bodies as documented, invalid input rejected, valid input not refused as
invalid, auth not ignored. The world is the demo data (``seed_demo``: offers in
every status, handoffs, projects and everything after the handoff), seeded once
for the module; the generated ids and foreign keys are aimed at its rows so the
calls reach the services instead of bouncing off 404s. Each test (one operation
as one role) runs in its own savepoint, rolled back afterwards.

Bounded for CI: ``FUZZ_MAX_EXAMPLES`` (default 12) generated cases per
operation and role, plus schemathesis' coverage cases (boundary values of every
parameter). ``FUZZ_SEED`` makes a run reproducible (default fixed; set it to
``random`` to explore). The counts of the run are written to
``test-output/api_fuzz_summary.json``.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test.utils import override_settings
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.config import SchemathesisConfig
from schemathesis.core.mutations import OperatorKind
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.meta import CoveragePhaseData, CoverageScenario
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from accounts.models import User
from projects.services.client_links import demo_token

ROLES = {"sales": "rita", "pm": "paula", "manager": "mona"}
# Plus the client, through the demo's client link (SPEC §7.5): ``Authorization: ClientLink <token>``.
CLIENT = "client"
IDENTITIES = [*ROLES, CLIENT]
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "12"))
_seed = os.environ.get("FUZZ_SEED", "20261125")
SEED = None if _seed == "random" else int(_seed)
SUMMARY = Path(__file__).resolve().parents[2] / "test-output" / "api_fuzz_summary.json"


def _openapi_document() -> dict[str, Any]:
    """The document /api/schema/ serves (test_schema.py checks they are the same)."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    # Round-trip through JSON: the schema's own types (lazy strings, Decimals) become plain JSON.
    return json.loads(json.dumps(document, default=str))


CONFIG = SchemathesisConfig.from_dict(
    {
        **({"seed": SEED} if SEED is not None else {}),
        "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "database": "none"},
        "checks": {"enabled": True},
        "phases": {"examples": {"enabled": True}, "coverage": {"enabled": True}, "fuzzing": {"enabled": True}},
    }
)
schema = schemathesis.openapi.from_dict(_openapi_document(), config=CONFIG)
schema.app = get_wsgi_application()
if os.environ.get("FUZZ_PATHS"):  # a regex of paths, to fuzz some endpoints while working on them
    schema = schema.include(path_regex=os.environ["FUZZ_PATHS"])


# --- The world -------------------------------------------------------------------------------
# Which rows a path's {id} or a body's foreign key names.
PATH_MODELS = {
    "users": "accounts.User",
    "clients": "clients.Client",
    "contacts": "clients.Contact",
    "offers": "handoff.Offer",
    "commitments": "handoff.Commitment",
    "risks": "handoff.Risk",
    "reviews": "handoff.FeasibilityReview",
    "handoffs": "handoff.Handoff",
    "projects": "projects.Project",
    "notifications": "notifications.Notification",
    "documents": "documents.Document",
    "client-portal": "projects.Deliverable",
}
FIELD_MODELS = {
    "client": "clients.Client",
    "contact": "clients.Contact",
    "reports_to": "clients.Contact",
    "approved_by": "clients.Contact",
    "offer": "handoff.Offer",
    "handoff": "handoff.Handoff",
    "project": "projects.Project",
    "reviewer": "accounts.User:pm",
    "pm": "accounts.User:pm",
    "owner": "accounts.User",
    "account_owner": "accounts.User:sales",
    "sales_liaison": "accounts.User:sales",
    "assignee": "accounts.User",
    "commitment": "handoff.Commitment",
    "meeting": "projects.Meeting",
    "deliverable": "projects.Deliverable",
    "issue": "projects.ClientIssue",
    "change_request": "projects.ChangeRequest",
}
# Lists of ids in a body.
LIST_FIELD_MODELS = {
    "assignees": "accounts.User",
    "attendees": "accounts.User",
    "contacts": "clients.Contact",
    "commitments": "handoff.Commitment",
}


class World:
    """The seeded rows, their ids per model, and each role's token."""

    def __init__(self) -> None:
        from django.apps import apps

        self.apps = apps
        self.users = {role: User.objects.get(username=username) for role, username in ROLES.items()}
        self.tokens = {role: Token.objects.get_or_create(user=user)[0].key for role, user in self.users.items()}
        self.tokens[CLIENT] = demo_token()
        self.calls: Counter[str] = Counter()
        self.statuses: Counter[str] = Counter()
        self.operations: dict[str, set[str]] = {role: set() for role in IDENTITIES}

    def authorization(self, role: str) -> str:
        keyword = "ClientLink" if role == CLIENT else "Token"
        return f"{keyword} {self.tokens[role]}"

    def ids(self, label: str, role: str) -> list[int]:
        """Ids of ``label`` rows ("app.Model", or "accounts.User:<role>" for the holders of a role)."""
        label, _, holding = label.partition(":")
        model = self.apps.get_model(label)
        queryset = model.objects.all()
        if holding:
            queryset = queryset.filter(groups__name=holding)
        if label == "notifications.Notification":
            queryset = queryset.filter(recipient=self.users.get(role))
        return list(queryset.order_by("pk").values_list("pk", flat=True)[:200])

    def aim(self, case: schemathesis.Case, role: str) -> None:
        """Point generated integer ids at rows that exist.

        A negative path id stays (the 404 path); a foreign key in a body always
        names a row, since the schema cannot say "an id that exists" and an
        unknown one is rightly a 400. Non-integers stay: they are the negative cases.
        """
        path_parameters = case.path_parameters or {}
        if "id" in path_parameters:
            segment = case.operation.path.removeprefix("/api/v1/").split("/")[0]
            label = PATH_MODELS.get(segment) or self._model_of(case.operation.path)
            if self._is_int(path_parameters["id"]) and path_parameters["id"] >= 0:
                path_parameters["id"] = self._pick(label, role, path_parameters["id"])
        if isinstance(case.body, dict):
            for field, value in list(case.body.items()):
                label = FIELD_MODELS.get(field)
                if label and self._is_int(value):
                    case.body[field] = self._pick(label, role, value)
                label = LIST_FIELD_MODELS.get(field)
                if label and isinstance(value, list):
                    case.body[field] = [self._pick(label, role, v) if self._is_int(v) else v for v in value]

    @staticmethod
    def _is_int(value: Any) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    def _pick(self, label: str | None, role: str, value: int) -> int:
        try:
            ids = self.ids(label, role) if label else []
        except LookupError:  # a model this checkout does not have
            ids = []
        return ids[abs(value) % len(ids)] if ids else value

    @staticmethod
    def _model_of(path: str) -> str | None:
        """The model behind an endpoint no entry of PATH_MODELS names (later apps' viewsets)."""
        from django.urls import Resolver404, resolve

        try:
            match = resolve(path.replace("{id}", "1"))
        except Resolver404:
            return None
        view = getattr(match.func, "cls", None)
        queryset = getattr(view, "queryset", None)
        model = getattr(queryset, "model", None)
        if model is None:
            serializer = getattr(view, "serializer_class", None)
            model = getattr(getattr(serializer, "Meta", None), "model", None)
        return model._meta.label if model is not None else None


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The demo data, seeded once in a transaction that is rolled back after the module.

    The WSGI handler would close the test's connection at every request (and
    with it the transaction): Django's test client switches that off the same way.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with open(os.devnull, "w") as quiet:
                call_command("seed_demo", stdout=quiet)
            world = World()
            # The fuzzer's volume is no attack: the client-link limits would turn its calls into 429s.
            with override_settings(CLIENT_LINK_ACTIONS_PER_LINK=10**6, CLIENT_LINK_GUESSES_PER_IP=10**6):
                yield world
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
    _write_summary(world)


def _write_summary(world: World) -> None:
    summary = {
        "operations_in_schema": len(list(schema.get_all_operations())),
        "max_examples_per_operation": MAX_EXAMPLES,
        "seed": SEED,
        "calls_per_role": dict(world.calls),
        "operations_per_role": {role: len(names) for role, names in world.operations.items()},
        "responses_by_status": dict(sorted(world.statuses.items())),
    }
    SUMMARY.parent.mkdir(parents=True, exist_ok=True)
    SUMMARY.write_text(json.dumps(summary, indent=2) + "\n")
    print("\nAPI fuzzing:", json.dumps(summary))


# --- Checks ------------------------------------------------------------------------------------
# All of schemathesis' checks run, positive_data_acceptance and negative_data_rejection included,
# each narrowed in one place:
# - negative data: DRF reads a JSON scalar of the "wrong" scalar type when it means the same thing
#   (``"industry": 0`` is the text "0", ``"5"`` the integer 5). Everything else that breaks the
#   schema (ranges, lengths, enums, formats, required fields, nulls, lists or objects for scalars,
#   a JSON number for a decimal string, an empty query parameter, malformed JSON) must be refused
#   with a 4xx.
# - positive data: a 400 for well-formed input is accepted only where it is a business rule a JSON
#   schema cannot state: POSITIVE_DATA_RULES lists each once, as the operation and the fields its
#   400 names. Any other refusal of valid input fails the gate.
SCALAR_TYPES = {"string", "integer", "number"}
# Business rules a JSON schema cannot state: a 400 naming only these fields is the rule at work.
POSITIVE_DATA_RULES = {
    # Well-formed but wrong credentials (DRF's obtain-token contract).
    "POST /api/v1/auth/token/": {"non_field_errors"},
    # Unique whatever the case; a website Django's URL validator takes (host labels of at most 63 characters).
    # A manager names the account owner (a rep owns what they create).
    "POST /api/v1/clients/": {"name", "website", "account_owner"},
    "PATCH /api/v1/clients/{id}/": {"name", "website", "account_owner"},  # and the owner is a sales rep
    "POST /api/v1/contacts/": {"reports_to"},  # someone of the same client, no cycle
    "PATCH /api/v1/contacts/{id}/": {"reports_to", "client"},  # a contact stays with its client
    "GET /api/v1/dashboard/": {"start", "end", "rep", "pm", "client"},  # ordered period of at most 5 years; known ids
    # Dates between 2000 and 2099, start before end, value at most a billion, a title that is not blank.
    "POST /api/v1/offers/": {"title", "value", "expected_close", "desired_start", "desired_end"},
    "PATCH /api/v1/offers/{id}/": {"title", "value", "expected_close", "desired_start", "desired_end"},
    "POST /api/v1/commitments/": {"text", "due"},
    "POST /api/v1/risks/": {"title", "owner"},
    "PATCH /api/v1/risks/{id}/": {"title", "owner"},
    "POST /api/v1/offers/{id}/request-review/": {"reviewer"},  # an active PM other than yourself
    "POST /api/v1/offers/{id}/lose/": {"reason"},  # not blank once trimmed
    "POST /api/v1/offers/{id}/withdraw/": {"reason"},
    "POST /api/v1/handoffs/{id}/return/": {"reason"},
    # Conditions required unless feasible; milestones and marks about this offer's commitments.
    "POST /api/v1/reviews/{id}/complete/": {"notes", "milestones", "commitment_marks", "effort_days", "duration_weeks"},
    # Marks name commitments of the reviewed offer, each once (SPEC §7.1).
    "POST /api/v1/reviews/{id}/confirm/": {"commitments"},
    # Completing asks for an actual effort above zero or "not tracked", never both.
    "PATCH /api/v1/projects/{id}/": {"actual_effort_days", "effort_not_tracked"},
    # After the handoff: people and records of the project's own client, dates in range and in order,
    # decisions once the kickoff took place, assignees who hold a role.
    "POST /api/v1/deliverables/{id}/decide/": {"contact", "reason"},
    # A title that is not blank once trimmed; a project of the client; assignees who hold a role.
    "POST /api/v1/issues/": {"title", "project", "assignees"},
    "PATCH /api/v1/issues/{id}/": {"title"},
    "POST /api/v1/issues/{id}/assign/": {"assignees"},
    "POST /api/v1/issues/{id}/comments/": {"body"},
    "POST /api/v1/meetings/": {"decisions", "starts_at", "attendees", "contacts", "recurrence"},  # one kickoff
    "PATCH /api/v1/meetings/{id}/": {"decisions", "starts_at", "attendees", "contacts", "recurrence"},
    "POST /api/v1/action-items/": {"text", "due", "owner"},
    # A contact of the project's client, with an e-mail address when the link is e-mailed.
    "POST /api/v1/client-links/": {"contact", "send_email"},
    # The client: a reason on a rejection; scores, a title that is not blank once trimmed.
    "POST /api/v1/client-portal/deliverables/{id}/decision/": {"reason"},
    "POST /api/v1/client-portal/issues/": {"title"},
    "PATCH /api/v1/action-items/{id}/": {"due", "owner"},
    # Documents: the content decides the type (random bytes are refused), exactly one parent, and only
    # those who see the client's confidential notes may mark a document confidential.
    "POST /api/v1/documents/": {
        "file",
        "non_field_errors",
        "confidential",
        "client",
        "offer",
        "project",
        "deliverable",
        "change_request",
    },
    # The import (SPEC §7.7): what the file holds (its format, columns, rows) is checked after the upload;
    # with dry_run=false a file with errors is a 400 listing them, nothing written.
    "POST /api/v1/imports/contacts/": {"file", "rows", "created", "updated", "unchanged", "errors"},
}
# Django refuses NUL characters in text (PostgreSQL cannot store them); a JSON schema cannot say so.
UNSTATABLE_MESSAGES = {"Null characters are not allowed."}


def _value_at_schema_location(document: Any, location: str | None) -> Any:
    """The value a schema pointer (``/properties/industry/type``) addresses in a body."""
    parts = (location or "").strip("/").split("/")
    names = [parts[i + 1] for i, part in enumerate(parts[:-1]) if part == "properties"]
    if not names:
        return None
    for name in names:
        if not isinstance(document, dict) or name not in document:
            return None
        document = document[name]
    return document


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _leniency_only(case: schemathesis.Case) -> bool:
    """Whether every negation in ``case`` is one the API reads leniently by design (see above)."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_negative:
        return False
    data = meta.phase.data
    mutations = getattr(data, "mutations", ()) or ()
    if isinstance(data, CoveragePhaseData) and not mutations:
        if data.parameter_location == ParameterLocation.BODY:
            value = _value_at_schema_location(case.body, data.location)
            if data.scenario == CoverageScenario.INCORRECT_TYPE:
                return _is_scalar(value)
            # "" for a nullable number or date is read as null (DRF), as a form would send it.
            return value == "" and data.scenario in (CoverageScenario.INVALID_FORMAT, CoverageScenario.INVALID_PATTERN)
        return False
    if not mutations:
        return False
    for mutation in mutations:
        if (
            mutation.operator != OperatorKind.CHANGE_TYPE
            or mutation.parameter_location != ParameterLocation.BODY
            or not ({mutation.original_value, mutation.new_value} <= SCALAR_TYPES)
        ):
            return False
    return True


# Multipart form data carries every value as text: a "wrong type" or an extra property generated for the
# upload reaches the server as the same form a valid client sends (the file is still sniffed, the parent
# still checked). Every other check, 5xx included, runs on it.
MULTIPART_OPERATIONS = {"POST /api/v1/documents/", "POST /api/v1/imports/contacts/"}


def negative_data_rejected(ctx, response, case):
    if _leniency_only(case) or case.operation.label in MULTIPART_OPERATIONS:
        return None
    return negative_data_rejection(ctx, response, case)


def positive_data_accepted(ctx, response, case):
    rules = POSITIVE_DATA_RULES.get(case.operation.label, set())
    if response.status_code == 400:
        errors = response.json()
        if (
            isinstance(errors, dict)
            and errors
            and all(
                field in rules or (isinstance(messages, list) and set(messages) <= UNSTATABLE_MESSAGES)
                for field, messages in errors.items()
            )
        ):
            return None
    return positive_data_acceptance(ctx, response, case)


@pytest.mark.parametrize("role", IDENTITIES)
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_it_answers_every_operation_as_documented(case, role, world, db):
    world.aim(case, role)
    response = case.call_and_validate(
        headers={"Authorization": world.authorization(role)},
        excluded_checks=[negative_data_rejection, positive_data_acceptance],
        additional_checks=[negative_data_rejected, positive_data_accepted],
    )
    world.calls[role] += 1
    world.operations[role].add(case.operation.label)
    world.statuses[str(response.status_code)] += 1


# --- What the fuzzer found, pinned ------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/clients/null,null/brief/",  # was a 500: the brief's lookup took any text as an id
        "/api/v1/offers/-1/",  # was Django's HTML 404 page
        "/api/v1/nothing-here/",
    ],
)
def test_it_answers_unknown_api_paths_with_a_json_404(url, api_as, rep):
    response = api_as(rep).get(url)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "owner=99999999999999999999",  # was a 500: out of range for the id column
        "owner=-4.6e%2B266",  # was a 500
        "owner=1.5",  # was silently "no match"
        "owner=0",
        "page_size=abc",  # was silently the default page size
        "page_size=0",
    ],
)
def test_it_refuses_malformed_ids_and_page_sizes(query, api_as, rep):
    response = api_as(rep).get(f"/api/v1/offers/?{query}")

    assert response.status_code == 400
    assert set(response.json()) <= {"owner", "page_size"}


@pytest.mark.django_db
def test_it_still_caps_a_large_page_size(api_as, rep):
    assert api_as(rep).get("/api/v1/offers/?page_size=1000").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("version", ["true", "0", "²"])
def test_it_refuses_a_malformed_snapshot_version(version, api_as, rep, pm):
    from tests.projects.factories import won_handoff

    handoff = won_handoff(owner=rep, reviewer=pm)

    response = api_as(rep).get(f"/api/v1/handoffs/{handoff.pk}/snapshots/", {"version": version})

    assert response.status_code == 400
    assert "version" in response.json()


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["view=AAA", "rep=0", "pm=x"])
def test_it_refuses_malformed_dashboard_parameters(query, api_as, rep):
    response = api_as(rep).get(f"/api/v1/dashboard/?{query}")

    assert response.status_code == 400
