"""The optimistic-concurrency version is a hidden form field and an API field, never visible text (issue 18)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.factories import ClientBriefFactory, OfferFactory
from tests.projects.factories import accepted_project

VISIBLE_VERSION = re.compile(r"\bversion\s*\d+", re.IGNORECASE)


class VisibleText(HTMLParser):
    """The text a reader sees: no tags, attributes, scripts or hidden inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style", "title"}:
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in {"script", "style", "title"} and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def assert_no_visible_version(html: str) -> None:
    shown = VISIBLE_VERSION.findall(visible_text(html))
    assert not shown, f"the page shows the internal version counter: {shown}"


def test_the_offer_page_does_not_show_the_version(client_as, rep):
    offer = OfferFactory(owner=rep)
    offer.version = 3
    offer.save(update_fields=["version"])

    html = client_as(rep).get(f"/offers/{offer.pk}/").content.decode()

    assert_no_visible_version(html)


def test_the_offer_form_keeps_the_version_hidden(client_as, rep):
    offer = OfferFactory(owner=rep)

    html = client_as(rep).get(f"/offers/{offer.pk}/edit/").content.decode()

    assert re.search(r'<input type="hidden" name="version" value="1"', html)
    assert_no_visible_version(html)


def test_the_project_page_does_not_show_the_version_beside_save(client_as, rep, pm):
    project = accepted_project(owner=rep, pm=pm)
    project.version = 2
    project.save(update_fields=["version"])

    html = client_as(pm).get(f"/projects/{project.pk}/").content.decode()

    assert 'data-testid="save-state"' in html
    assert re.search(r'<input type="hidden" name="version" value="2"', html)
    assert_no_visible_version(html)


def test_the_brief_and_its_form_do_not_show_the_version(client_as, rep):
    brief = ClientBriefFactory(client__account_owner=rep)
    type(brief).objects.filter(pk=brief.pk).update(version=4)

    page = client_as(rep).get(f"/clients/{brief.client_id}/").content.decode()
    form = client_as(rep).get(f"/clients/{brief.client_id}/brief/edit/").content.decode()

    assert_no_visible_version(page)
    assert re.search(r'<input type="hidden" name="version" value="4"', form)
    assert_no_visible_version(form)


@pytest.mark.parametrize("path", ["/api/v1/offers/{pk}/"])
def test_the_api_still_has_the_version(api_as, rep, path):
    offer = OfferFactory(owner=rep)

    assert api_as(rep).get(path.format(pk=offer.pk)).json()["version"] == 1
