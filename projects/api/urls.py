from django.urls import path
from rest_framework.routers import SimpleRouter

from projects.api import client_links
from projects.api.changes import ChangeRequestViewSet
from projects.api.deliverables import DeliverableViewSet, ProjectCommitmentViewSet
from projects.api.followups import FollowUpViewSet, LessonViewSet
from projects.api.issues import IssueViewSet
from projects.api.meetings import ActionItemViewSet
from projects.api.pulses import PulseViewSet
from projects.api.risks import ProjectRiskViewSet
from projects.api.views import MeetingViewSet, ProjectViewSet

router = SimpleRouter()
router.register("projects", ProjectViewSet, basename="project")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("action-items", ActionItemViewSet, basename="action-item")
router.register("pulses", PulseViewSet, basename="pulse")
router.register("issues", IssueViewSet, basename="issue")
router.register("follow-ups", FollowUpViewSet, basename="follow-up")
router.register("lessons", LessonViewSet, basename="lesson")
router.register("change-requests", ChangeRequestViewSet, basename="change-request")
router.register("deliverables", DeliverableViewSet, basename="deliverable")
router.register("project-commitments", ProjectCommitmentViewSet, basename="project-commitment")
router.register("project-risks", ProjectRiskViewSet, basename="project-risk")

router.register("client-links", client_links.ClientLinkViewSet, basename="client-link")

urlpatterns = [
    *router.urls,
    # The client's own door: Authorization: ClientLink <token> (SPEC §7.5).
    path("client-portal/", client_links.ClientPortalView.as_view(), name="client-portal"),
    path(
        "client-portal/deliverables/<int:pk>/decision/",
        client_links.ClientPortalDecisionView.as_view(),
        name="client-portal-decision",
    ),
    path("client-portal/pulses/", client_links.ClientPortalPulseView.as_view(), name="client-portal-pulses"),
    path("client-portal/issues/", client_links.ClientPortalIssueView.as_view(), name="client-portal-issues"),
]
