from django.urls import path
from rest_framework.routers import SimpleRouter

from handoff.api import handoffs as handoff_api
from handoff.api import offers as offer_api

router = SimpleRouter()
router.register("offers", offer_api.OfferViewSet, basename="offer")
router.register("commitments", offer_api.CommitmentViewSet, basename="commitment")
router.register("risks", offer_api.RiskViewSet, basename="risk")
router.register("reviews", offer_api.ReviewViewSet, basename="review")
router.register("handoffs", handoff_api.HandoffViewSet, basename="handoff")

urlpatterns = [
    path("offers/<int:pk>/win/", handoff_api.OfferWinView.as_view(), name="offer-win"),
    *router.urls,
]
