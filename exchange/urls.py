from django.urls import path

from exchange import views

app_name = "exchange"

urlpatterns = [
    path("import/", views.import_view, name="import"),
    path("import/<uuid:token>/confirm/", views.import_confirm_view, name="import_confirm"),
    path("export/<slug:list_name>.<str:fmt>", views.export_view, name="export"),
]
