from django.urls import path

from exchange.api.views import ContactImportView

urlpatterns = [
    path("imports/contacts/", ContactImportView.as_view(), name="import-contacts"),
]
