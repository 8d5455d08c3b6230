from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core.views import healthz, healthz_live, healthz_ready

api_v1 = [
    path("", include("accounts.api.urls")),
    path("", include("clients.api.urls")),
    path("", include("handoff.api.urls")),
    path("", include("projects.api.urls")),
    path("", include("notifications.api.urls")),
    path("", include("dashboards.api.urls")),
    path("", include("documents.api.urls")),
]

urlpatterns = [
    path("", include("core.urls")),
    path("", include("accounts.urls")),
    path("clients/", include("clients.urls")),
    path("", include("handoff.urls")),
    path("projects/", include("projects.urls")),
    path("c/", include("projects.client_urls")),
    path("notifications/", include("notifications.urls")),
    path("dashboard/", include("dashboards.urls")),
    path("documents/", include("documents.urls")),
    path("healthz", healthz, name="healthz"),
    path("healthz/live", healthz_live, name="healthz-live"),
    path("healthz/ready", healthz_ready, name="healthz-ready"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

# An unknown path under /api/ (``/api/v1/offers/abc/``) gets the API's JSON 404, not the HTML page.
handler404 = "core.api.views.not_found"
