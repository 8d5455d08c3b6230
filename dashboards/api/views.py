from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.filters import refuse_blank_parameters
from dashboards.api.serializers import DashboardSerializer
from dashboards.forms import DashboardFilterForm
from dashboards.selectors import MANAGER, dashboard_scope, dashboard_snapshot, dashboard_view_for

# The filter form's ids are whole numbers from 1.
ID = {"type": "integer", "minimum": 1}


class DashboardView(APIView):
    """The dashboard figures as JSON: the same snapshot, hence the same numbers, as the page."""

    @extend_schema(
        operation_id="dashboard_retrieve",
        summary="Dashboard figures",
        description="Managers get the whole company's figures; sales reps and PMs their own (the rep or PM filter "
        "is forced to themselves). Figures are at most 60 seconds old (`as_of`).",
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, description="Period start (inclusive)"),
            OpenApiParameter("end", OpenApiTypes.DATE, description="Period end (inclusive)"),
            OpenApiParameter("rep", ID, description="Sales rep (user id); managers only"),
            OpenApiParameter("pm", ID, description="Project manager (user id); managers only"),
            OpenApiParameter("client", ID, description="Client id"),
            OpenApiParameter("view", str, enum=["sales", "pm"], description="For users who are both rep and PM"),
        ],
        responses={200: DashboardSerializer},
    )
    def get(self, request: Request) -> Response:
        # The page's form sends empty fields for "no filter"; the API documents no empty value.
        refuse_blank_parameters(request.query_params)
        requested = request.query_params.get("view", "")
        if requested not in ("", "sales", "pm"):
            raise ValidationError({"view": [gettext("Choose sales or pm.")]})
        # A rep's or PM's own dashboard ignores ``rep`` and ``pm``, but a malformed one is still an error.
        for name in ("rep", "pm"):
            raw = request.query_params.get(name, "")
            if raw and not (raw.isascii() and raw.isdigit() and int(raw) >= 1):
                raise ValidationError({name: [gettext("A user id: a whole number from 1.")]})
        view, _views = dashboard_view_for(request.user, requested)
        form = DashboardFilterForm(request.query_params, scoped=view != MANAGER)
        if not form.is_valid():
            raise ValidationError({field: list(messages) for field, messages in form.errors.items()})
        view, filters = dashboard_scope(user=request.user, filters=form.filters(), view=view)
        snapshot = dashboard_snapshot(filters=filters)
        return Response({"view": view, **snapshot.data})
