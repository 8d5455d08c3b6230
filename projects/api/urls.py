from django.urls import path
from rest_framework.routers import SimpleRouter

from projects.api.views.changes import ChangeRequestViewSet
from projects.api.views.client_links import (
    ClientLinkViewSet,
    ClientPortalDecisionView,
    ClientPortalIssueView,
    ClientPortalPulseView,
    ClientPortalView,
)
from projects.api.views.deliverables import DeliverableViewSet, ProjectCommitmentViewSet
from projects.api.views.followups import FollowUpViewSet, LessonViewSet
from projects.api.views.issues import IssueViewSet
from projects.api.views.meetings import ActionItemViewSet, MeetingViewSet
from projects.api.views.projects import ProjectViewSet
from projects.api.views.pulses import PulseViewSet
from projects.api.views.risks import ProjectRiskViewSet

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

router.register("client-links", ClientLinkViewSet, basename="client-link")

urlpatterns = [
    *router.urls,
    # The client's own door: Authorization: ClientLink <token> (SPEC §7.5).
    path("client-portal/", ClientPortalView.as_view(), name="client-portal"),
    path(
        "client-portal/deliverables/<int:pk>/decision/",
        ClientPortalDecisionView.as_view(),
        name="client-portal-decision",
    ),
    path("client-portal/pulses/", ClientPortalPulseView.as_view(), name="client-portal-pulses"),
    path("client-portal/issues/", ClientPortalIssueView.as_view(), name="client-portal-issues"),
]
