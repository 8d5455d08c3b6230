from django.urls import path

from projects import views

app_name = "projects"

urlpatterns: list = [
    path("", views.project_list_view, name="list"),
    path("<int:pk>/", views.project_detail_view, name="detail"),
    path("<int:pk>/state/", views.project_state_view, name="state"),
    path("<int:pk>/reassign/", views.project_reassign_view, name="reassign"),
    path("<int:pk>/kickoff/", views.meeting_kickoff_view, name="kickoff"),
    path("meetings/<int:pk>/ics/", views.meeting_ics_view, name="meeting_ics"),
]
