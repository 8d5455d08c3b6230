"""The shared htmx helpers: fragment-or-page, redirect after a POST, and Vary on every answer."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from core.htmx import is_fragment, redirect_after
from core.middleware import VaryOnHtmxMiddleware


def _request(**headers):
    request = RequestFactory().get("/", headers=headers)
    request.htmx = HtmxDetails(request)
    return request


def test_fragment_only_for_an_unboosted_htmx_request():
    assert is_fragment(_request(**{"HX-Request": "true"}))
    assert not is_fragment(_request(**{"HX-Request": "true", "HX-Boosted": "true"}))
    assert not is_fragment(_request())


def test_redirect_after_is_a_client_redirect_for_htmx_and_a_302_otherwise():
    htmx = redirect_after(_request(**{"HX-Request": "true"}), "/offers/1/")
    assert htmx.status_code == 200
    assert htmx["HX-Redirect"] == "/offers/1/"
    plain = redirect_after(_request(), "/offers/1/")
    assert plain.status_code == 302
    assert plain["Location"] == "/offers/1/"


def test_every_answer_varies_on_hx_request():
    response = VaryOnHtmxMiddleware(lambda request: HttpResponse("x"))(_request())
    assert "HX-Request" in response["Vary"]


@pytest.mark.django_db
def test_a_real_page_varies_on_hx_request(client, django_user_model):
    response = client.get("/accounts/login/")
    assert "HX-Request" in response["Vary"]
