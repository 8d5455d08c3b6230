from django.urls import path

from handoff.views import handoffs as handoff_views
from handoff.views import offers as offer_views
from handoff.views import panels as panel_views

app_name = "handoff"

urlpatterns: list = [
    # Offers, commitments, risks and feasibility reviews (issue 3)
    path("offers/", offer_views.offer_list, name="offer_list"),
    path("offers/new/", offer_views.offer_create, name="offer_create"),
    path("offers/<int:pk>/", offer_views.offer_detail, name="offer_detail"),
    path("offers/<int:pk>/edit/", offer_views.offer_edit, name="offer_edit"),
    path("offers/<int:pk>/commitments/", offer_views.commitment_add, name="commitment_add"),
    path("commitments/<int:pk>/remove/", offer_views.commitment_remove, name="commitment_remove"),
    path("offers/<int:pk>/risks/", offer_views.risk_add, name="risk_add"),
    path("risks/<int:pk>/edit/", offer_views.risk_edit, name="risk_edit"),
    path("risks/<int:pk>/remove/", offer_views.risk_remove, name="risk_remove"),
    path("offers/<int:pk>/sign-off-no-risks/", offer_views.offer_sign_off, name="offer_sign_off"),
    path(
        "offers/<int:pk>/sign-off-no-risks/withdraw/",
        offer_views.offer_sign_off_withdraw,
        name="offer_sign_off_withdraw",
    ),
    path("offers/<int:pk>/request-review/", offer_views.review_request, name="review_request"),
    path("offers/<int:pk>/send/", offer_views.offer_send, name="offer_send"),
    path("offers/<int:pk>/lose/", offer_views.offer_lose, name="offer_lose"),
    path("offers/<int:pk>/withdraw/", offer_views.offer_withdraw, name="offer_withdraw"),
    path("reviews/<int:pk>/complete/", offer_views.review_complete, name="review_complete"),
    path("reviews/<int:pk>/confirm/", offer_views.review_confirm, name="review_confirm"),
    # Handoffs (issue 4)
    path("offers/<int:pk>/win/", handoff_views.offer_win_view, name="offer_win"),
    path("handoffs/", handoff_views.handoff_list_view, name="handoff_list"),
    path("handoffs/<int:pk>/", handoff_views.handoff_detail_view, name="handoff_detail"),
    path("handoffs/<int:pk>/accept/", handoff_views.handoff_accept_view, name="handoff_accept"),
    path("handoffs/<int:pk>/return/", handoff_views.handoff_return_view, name="handoff_return"),
    path("handoffs/<int:pk>/resubmit/", handoff_views.handoff_resubmit_view, name="handoff_resubmit"),
    path("handoffs/<int:pk>/reassign/", handoff_views.handoff_reassign_view, name="handoff_reassign"),
    # The client page's offers, loaded there with hx-get (views/panels.py).
    path("panels/client/<int:client_pk>/offers/", panel_views.client_offers_panel_view, name="client_offers_panel"),
]
