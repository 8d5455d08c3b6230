from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("<str:kind>/<int:parent_id>/", views.section_view, name="section"),
    path("<int:pk>/download/", views.download_view, name="download"),
    path("<int:pk>/delete/", views.delete_view, name="delete"),
]
