"""Token auth and the read-only users endpoint (SPEC §4)."""

import pytest
from rest_framework.authtoken.models import Token

from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


# --- POST /api/v1/auth/token/ ------------------------------------------------------------
def test_it_exchanges_a_username_and_password_for_a_token(api, rep):
    response = api.post(TOKEN_URL, {"username": "rep", "password": DEFAULT_PASSWORD}, format="json")

    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=rep).key}


def test_it_returns_the_same_token_twice(api, rep):
    first = api.post(TOKEN_URL, {"username": "rep", "password": DEFAULT_PASSWORD}, format="json").json()
    second = api.post(TOKEN_URL, {"username": "rep", "password": DEFAULT_PASSWORD}, format="json").json()

    assert first == second


def test_it_answers_400_to_a_wrong_password(api, rep):
    response = api.post(TOKEN_URL, {"username": "rep", "password": "wrong-password"}, format="json")

    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert not Token.objects.filter(user=rep).exists()


def test_it_answers_400_to_an_unknown_user(api, db):
    response = api.post(TOKEN_URL, {"username": "nobody", "password": "whatever-123"}, format="json")

    assert response.status_code == 400


def test_it_answers_400_with_the_missing_fields(api, db):
    response = api.post(TOKEN_URL, {}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"username", "password"}


def test_it_refuses_a_token_for_an_inactive_user(api, rep):
    rep.is_active = False
    rep.save()

    response = api.post(TOKEN_URL, {"username": "rep", "password": DEFAULT_PASSWORD}, format="json")

    assert response.status_code == 400


def test_it_authenticates_requests_with_the_token(api, rep):
    token = api.post(TOKEN_URL, {"username": "rep", "password": DEFAULT_PASSWORD}, format="json").json()["token"]

    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = api.get("/api/v1/users/")

    assert response.status_code == 200


def test_it_refuses_a_bogus_token(api, db):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    assert api.get("/api/v1/users/").status_code == 401


def test_it_throttles_password_guessing(api, rep):
    statuses = [
        api.post(TOKEN_URL, {"username": "rep", "password": f"guess-{n}"}, format="json").status_code for n in range(11)
    ]

    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429


# --- GET /api/v1/users/ ------------------------------------------------------------------
def test_it_lists_users_with_their_roles(api_as, rep, pm):
    response = api_as(rep).get("/api/v1/users/")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["results"] == [
        {"id": pm.id, "username": "pm", "full_name": "Paula Manager", "email": "pm@example.com", "roles": ["pm"]},
        {"id": rep.id, "username": "rep", "full_name": "Rita Rep", "email": "rep@example.com", "roles": ["sales"]},
    ]


def test_it_filters_users_by_role(api_as, rep, pm, other_pm, manager):
    response = api_as(rep).get("/api/v1/users/", {"role": "pm"})

    assert [user["username"] for user in response.json()["results"]] == ["other_pm", "pm"]


def test_it_lists_a_user_with_several_roles_under_each(api_as, rep):
    UserFactory(username="both", roles=["sales", "pm"])
    client = api_as(rep)

    assert "both" in [u["username"] for u in client.get("/api/v1/users/", {"role": "pm"}).json()["results"]]
    sales = client.get("/api/v1/users/", {"role": "sales"}).json()["results"]
    assert [u["username"] for u in sales] == ["both", "rep"]
    assert sales[0]["roles"] == ["pm", "sales"]


def test_it_answers_400_to_an_unknown_role(api_as, rep):
    response = api_as(rep).get("/api/v1/users/", {"role": "ceo"})

    assert response.status_code == 400
    assert "role" in response.json()


def test_it_leaves_out_inactive_users(api_as, rep):
    UserFactory(username="gone", roles=["pm"], is_active=False)

    response = api_as(rep).get("/api/v1/users/", {"role": "pm"})

    assert response.json()["results"] == []


def test_it_shows_one_user(api_as, rep, manager):
    response = api_as(rep).get(f"/api/v1/users/{manager.id}/")

    assert response.status_code == 200
    assert response.json()["roles"] == ["manager"]


def test_it_is_read_only(api_as, manager):
    client = api_as(manager)

    assert client.post("/api/v1/users/", {"username": "new"}, format="json").status_code == 405
    assert client.delete(f"/api/v1/users/{manager.id}/").status_code == 405


def test_it_pages_users_and_caps_the_page_size(api_as, rep):
    UserFactory.create_batch(3, roles=["pm"])

    page = api_as(rep).get("/api/v1/users/", {"page_size": 2}).json()

    assert page["count"] == 4
    assert len(page["results"]) == 2
    assert "page=2" in page["next"]


def test_it_caps_the_page_size_at_200(api_as, rep):
    UserFactory.create_batch(201)

    page = api_as(rep).get("/api/v1/users/", {"page_size": 1000}).json()

    assert len(page["results"]) == 200


def test_it_lists_users_in_a_constant_number_of_queries(api_as, rep, django_assert_num_queries):
    client = api_as(rep)
    UserFactory(roles=["pm"])
    with django_assert_num_queries(5) as first:
        client.get("/api/v1/users/")

    UserFactory.create_batch(20, roles=["sales", "pm"])
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get("/api/v1/users/")

    assert response.json()["count"] == 22


def test_it_refuses_anonymous_users(api, db):
    response = api.get("/api/v1/users/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


# --- schema and docs --------------------------------------------------------------------
def test_it_serves_the_schema_to_signed_in_users(api_as, rep):
    response = api_as(rep).get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/users/" in paths
    assert "/api/v1/auth/token/" in paths


def test_it_serves_the_docs_from_the_portal_itself(client_as, rep):
    response = client_as(rep).get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn" not in html.lower()
