from django.urls import path

from projects.views import changes as change_views
from projects.views import client_links as client_link_views
from projects.views import deliverables as deliverable_views
from projects.views import followups as follow_up_views
from projects.views import issues as issue_views
from projects.views import lessons as lesson_views
from projects.views import meetings as meeting_views
from projects.views import panels as panel_views
from projects.views import projects as project_views
from projects.views import pulses as pulse_views
from projects.views import risks as risk_views

app_name = "projects"

urlpatterns: list = [
    path("", project_views.project_list_view, name="list"),
    path("<int:pk>/", project_views.project_detail_view, name="detail"),
    # The page's lower sections, loaded after it with hx-get (a page of their own without JavaScript).
    path("<int:pk>/sections/meetings/", meeting_views.meeting_section_view, name="meeting_section"),
    path("<int:pk>/sections/pulse/", pulse_views.pulse_section_view, name="pulse_section"),
    path("<int:pk>/sections/follow-ups/", follow_up_views.follow_up_section_view, name="follow_up_section"),
    path("<int:pk>/sections/lessons/", lesson_views.lesson_section_view, name="lesson_section"),
    path("<int:pk>/sections/activity/", project_views.project_activity_view, name="activity_section"),
    path("<int:pk>/state/", project_views.project_state_view, name="state"),
    path("<int:pk>/reassign/", project_views.project_reassign_view, name="reassign"),
    path("<int:pk>/kickoff/", project_views.meeting_kickoff_view, name="kickoff"),
    path("meetings/<int:pk>/ics/", project_views.meeting_ics_view, name="meeting_ics"),
    # Client pulse, regular meetings and their action items (issue 5, part D).
    path("<int:pk>/pulses/", pulse_views.pulse_record_view, name="pulse_record"),
    path("<int:pk>/meetings/new/", meeting_views.meeting_create_view, name="meeting_create"),
    path("meetings/<int:pk>/", meeting_views.meeting_detail_view, name="meeting_detail"),
    path("meetings/<int:pk>/notes/", meeting_views.meeting_notes_view, name="meeting_notes"),
    path("meetings/<int:pk>/actions/", meeting_views.action_item_add_view, name="action_item_add"),
    path("meetings/<int:pk>/join/", meeting_views.meeting_join_view, name="meeting_join"),
    path("meetings/<int:pk>/leave/", meeting_views.meeting_leave_view, name="meeting_leave"),
    path("action-items/<int:pk>/done/", meeting_views.action_item_done_view, name="action_item_done"),
    path("<int:pk>/follow-ups/", follow_up_views.follow_up_raise_view, name="follow_up_raise"),
    path("follow-ups/<int:pk>/convert/", follow_up_views.follow_up_convert_view, name="follow_up_convert"),
    path("follow-ups/<int:pk>/dismiss/", follow_up_views.follow_up_dismiss_view, name="follow_up_dismiss"),
    path("<int:pk>/lessons/", lesson_views.lesson_add_view, name="lesson_add"),
    # Change requests, deliverables and commitments (issue 5, part A).
    path("<int:pk>/change-requests/", change_views.change_request_raise_view, name="change_request_raise"),
    path("change-requests/<int:pk>/approve/", change_views.change_request_approve_view, name="change_request_approve"),
    path("change-requests/<int:pk>/reject/", change_views.change_request_reject_view, name="change_request_reject"),
    path("<int:pk>/deliverables/", deliverable_views.deliverable_add_view, name="deliverable_add"),
    path("deliverables/<int:pk>/edit/", deliverable_views.deliverable_edit_view, name="deliverable_edit"),
    path("deliverables/<int:pk>/submit/", deliverable_views.deliverable_submit_view, name="deliverable_submit"),
    path("deliverables/<int:pk>/decide/", deliverable_views.deliverable_decide_view, name="deliverable_decide"),
    path("commitments/<int:pk>/status/", deliverable_views.commitment_status_view, name="commitment_status"),
    # Project risks stay alive (SPEC §7.3).
    path("<int:pk>/risks/", risk_views.risk_add_view, name="risk_add"),
    path("risks/<int:pk>/score/", risk_views.risk_rescore_view, name="risk_rescore"),
    path("risks/<int:pk>/status/", risk_views.risk_status_view, name="risk_status"),
    path("risks/<int:pk>/edit/", risk_views.risk_edit_view, name="risk_edit"),
    # The shared client-issue tracker.
    path("issues/", issue_views.issue_list_view, name="issue_list"),
    path("issues/new/", issue_views.issue_create_view, name="issue_create"),
    path("issues/<int:pk>/", issue_views.issue_detail_view, name="issue_detail"),
    path("issues/<int:pk>/edit/", issue_views.issue_edit_view, name="issue_edit"),
    path("issues/<int:pk>/status/", issue_views.issue_transition_view, name="issue_transition"),
    path("issues/<int:pk>/assignees/", issue_views.issue_assign_view, name="issue_assign"),
    path("issues/<int:pk>/comments/", issue_views.issue_comment_view, name="issue_comment"),
    path("issues/client/<int:client_pk>/", issue_views.issue_client_panel_view, name="issue_client_panel"),
    # Sections of the client and offer pages owned by projects, loaded there with hx-get (views/panels.py).
    path("panels/client/<int:client_pk>/pulse/", panel_views.client_pulse_panel_view, name="client_pulse_panel"),
    path(
        "panels/client/<int:client_pk>/projects/", panel_views.client_projects_panel_view, name="client_projects_panel"
    ),
    path("panels/client/<int:client_pk>/lessons/", panel_views.client_lessons_panel_view, name="client_lessons_panel"),
    path("panels/offer/<int:offer_pk>/origin/", panel_views.offer_origin_panel_view, name="offer_origin_panel"),
    path("<int:pk>/issues/", issue_views.issue_project_panel_view, name="issue_project_panel"),
    # Client links (SPEC §7.5): the project's panel, revoking, and every link for managers.
    path("<int:pk>/client-links/", client_link_views.client_link_panel_view, name="client_link_panel"),
    path("client-links/", client_link_views.client_link_list_view, name="client_links"),
    path("client-links/<int:pk>/revoke/", client_link_views.client_link_revoke_view, name="client_link_revoke"),
]
