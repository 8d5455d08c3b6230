from django.urls import path
from rest_framework.routers import SimpleRouter

from handoff.api import views

router = SimpleRouter()
router.register("offers", views.OfferViewSet, basename="offer")
router.register("commitments", views.CommitmentViewSet, basename="commitment")
router.register("risks", views.RiskViewSet, basename="risk")
router.register("reviews", views.ReviewViewSet, basename="review")
router.register("handoffs", views.HandoffViewSet, basename="handoff")

urlpatterns = [
    path("offers/<int:pk>/win/", views.OfferWinView.as_view(), name="offer-win"),
    *router.urls,
]
