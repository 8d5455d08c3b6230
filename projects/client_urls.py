"""The client's page (SPEC §7.5), mounted at ``/c/``: no login, a client link instead."""

from django.urls import path

from projects.views import client_portal as views

app_name = "client_portal"

urlpatterns = [
    path("", views.client_portal_home_view, name="home"),
    path("deliverables/<int:pk>/decision/", views.client_deliverable_decision_view, name="decision"),
    path("pulse/", views.client_pulse_view, name="pulse"),
    path("issues/", views.client_issue_view, name="issue"),
    path("leave/", views.client_portal_leave_view, name="leave"),
    # Last: anything else under /c/ is a token (logs mask it, see core/logmask.py).
    path("<str:token>/", views.client_link_enter_view, name="enter"),
]
