from django.conf import settings
from django.urls import path

from dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("risks/", views.risk_list, name="risks"),
    path("export/<slug:table>.csv", views.export_csv, name="export"),
    path("clients/", views.client_options, name="client-options"),
]

if settings.BENCH_TRIVIAL_VIEW:
    urlpatterns += [
        path("bench/trivial/", views.bench_trivial, name="bench-trivial"),
        path("bench/layout/", views.bench_layout, name="bench-layout"),
    ]
