from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from core.api.docs import ApiDocsView
from core.views import healthz, healthz_live, healthz_ready

api_v1 = [
    path("", include("accounts.api.urls")),
    path("", include("clients.api.urls")),
    path("", include("handoff.api.urls")),
    path("", include("projects.api.urls")),
    path("", include("notifications.api.urls")),
    path("", include("dashboards.api.urls")),
    path("", include("documents.api.urls")),
    path("", include("exchange.api.urls")),
]

urlpatterns = [
    path("", include("portal.urls")),
    path("", include("accounts.urls")),
    path("clients/", include("clients.urls")),
    path("", include("handoff.urls")),
    path("projects/", include("projects.urls")),
    path("c/", include("projects.client_urls")),
    path("notifications/", include("notifications.urls")),
    path("dashboard/", include("dashboards.urls")),
    path("documents/", include("documents.urls")),
    path("exchange/", include("exchange.urls")),
    path("healthz", healthz, name="healthz"),
    path("healthz/live", healthz_live, name="healthz-live"),
    path("healthz/ready", healthz_ready, name="healthz-ready"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", ApiDocsView.as_view(url_name="schema"), name="api-docs"),
]

# The portal's 403 and 404 pages (with its layout and a way back); under /api/ (an unknown path like
# ``/api/v1/offers/abc/``) the answer stays JSON.
handler403 = "core.error_views.forbidden"
handler404 = "core.error_views.not_found"
