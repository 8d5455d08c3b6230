"""The Django admin applies SPEC §2 to briefs: confidential notes for superusers only."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.factories import ClientBriefFactory, ClientFactory, UserFactory

pytestmark = pytest.mark.django_db

SECRET = "ADMIN-SECRET-talking-to-a-competitor"


@pytest.fixture
def brief():
    return ClientBriefFactory(client=ClientFactory(brief=None), background="Family-owned.", confidential_notes=SECRET)


def test_it_hides_the_confidential_notes_from_staff_with_view_permission(client, brief):
    staff = UserFactory(username="staff", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_clientbrief"))
    client.force_login(staff)

    response = client.get(reverse("admin:clients_clientbrief_change", args=[brief.pk]))

    assert response.status_code == 200
    assert "Family-owned." in response.content.decode()
    assert SECRET not in response.content.decode()
    assert "Confidential notes" not in response.content.decode()


def test_it_shows_the_confidential_notes_to_superusers(client, brief):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    response = client.get(reverse("admin:clients_clientbrief_change", args=[brief.pk]))

    assert response.status_code == 200
    assert SECRET in response.content.decode()
