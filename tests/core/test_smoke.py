import pytest


@pytest.mark.django_db
def test_it_serves_the_login_page(client):
    response = client.get("/login/")
    assert response.status_code == 200
    assert b"Log in" in response.content


@pytest.mark.django_db
def test_it_redirects_anonymous_users_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_it_shows_the_home_page_to_a_rep(client_as, rep):
    response = client_as(rep).get("/")
    assert response.status_code == 200
    assert b"Rita" in response.content
