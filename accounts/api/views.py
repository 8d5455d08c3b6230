from django.contrib.auth.models import Group
from django.db.models import Prefetch
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from accounts import services
from accounts.api.serializers import MeSerializer, UserSerializer
from accounts.models import User
from accounts.roles import Role


class UserFilter(filters.FilterSet):
    role = filters.ChoiceFilter(choices=Role.choices, field_name="groups__name", label="Role")

    class Meta:
        model = User
        fields = ["role"]


class UserViewSet(viewsets.ReadOnlyModelViewSet):
    """Active users, to find a reviewer, PM or assignee id (``?role=pm``)."""

    serializer_class = UserSerializer
    filterset_class = UserFilter
    ordering_fields = ["username", "first_name", "last_name"]

    def get_queryset(self):
        return (
            User.objects.filter(is_active=True)
            .prefetch_related(Prefetch("groups", queryset=Group.objects.only("id", "name")))
            .order_by("username")
        )

    @extend_schema(methods=["GET"], responses=MeSerializer)
    @extend_schema(methods=["PATCH"], request=MeSerializer, responses=MeSerializer)
    @action(detail=False, methods=["get", "patch"], serializer_class=MeSerializer, filterset_class=None)
    def me(self, request):
        """The signed-in user; PATCH sets their own ``language`` (en, de, or "" for the browser's)."""
        user = request.user
        if request.method == "PATCH":
            serializer = MeSerializer(user, data=request.data, partial=True)
            serializer.is_valid(raise_exception=True)
            if "language" in serializer.validated_data:
                services.user_set_language(user=user, language=serializer.validated_data["language"])
        return Response(MeSerializer(user).data)


class TokenThrottle(AnonRateThrottle):
    scope = "token"


class ObtainTokenView(ObtainAuthToken):
    """Exchange a username and password for an API token."""

    throttle_classes = [TokenThrottle]
    # Anonymous by design: the credentials are in the body. The schema says so (no security), and a signed-in
    # browser session neither helps nor trips a CSRF check here.
    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        request=inline_serializer(
            "TokenRequest", {"username": serializers.CharField(), "password": serializers.CharField()}
        ),
        responses=inline_serializer("TokenResponse", {"token": serializers.CharField()}),
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)
