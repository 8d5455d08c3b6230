from django.contrib.auth import views as auth_views
from django.urls import path

from accounts.views import PortalLoginView, language_switch, profile

urlpatterns = [
    path("login/", PortalLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", profile, name="profile"),
    path("language/", language_switch, name="language_switch"),
]
