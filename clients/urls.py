from django.urls import path

from clients import views

app_name = "clients"

urlpatterns = [
    path("", views.client_list_view, name="list"),
    path("new/", views.client_create_view, name="create"),
    path("<int:pk>/", views.client_detail_view, name="detail"),
    # The same page under the name notifications.services links to (clients:client_detail).
    path("<int:pk>/", views.client_detail_view, name="client_detail"),
    path("<int:pk>/edit/", views.client_edit_view, name="edit"),
    path("<int:pk>/brief/", views.brief_view, name="brief"),
    path("<int:pk>/brief/edit/", views.brief_edit_view, name="brief_edit"),
    path("<int:pk>/contacts/new/", views.contact_create_view, name="contact_create"),
    path("<int:pk>/contacts/<int:contact_pk>/edit/", views.contact_edit_view, name="contact_edit"),
    path("<int:pk>/contacts/<int:contact_pk>/delete/", views.contact_delete_view, name="contact_delete"),
]
