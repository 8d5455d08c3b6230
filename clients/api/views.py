"""Clients, contacts and client briefs in the API: thin views over clients.services and clients.selectors."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from clients.api.serializers import (
    BriefSerializer,
    BriefUpdateSerializer,
    ClientSerializer,
    ContactSerializer,
    StaleVersionSerializer,
)
from clients.filters import ClientFilter, ContactFilter
from clients.models import Client, ClientBrief, Contact
from clients.selectors import brief_confidential_visible_to, client_list, clients_visible_to, contact_list
from clients.services import (
    WRITERS_ONLY,
    brief_update,
    can_write_clients,
    client_create,
    client_update,
    contact_create,
    contact_delete,
    contact_update,
)

FORBIDDEN = OpenApiResponse(
    description="Your role may not do this (sales reps write; managers change a client's account owner and "
    "status only; others read)."
)
INVALID = OpenApiResponse(description="Invalid input: `{field: [messages]}`; nothing changed.")
STALE = OpenApiResponse(StaleVersionSerializer, description="Someone saved the brief since you read it.")


class WritesNeedSales(permissions.BasePermission):
    """Everyone signed in reads; sales reps write (the services check again, SPEC §2).

    A view may name ``manager_actions``: the actions a manager may take too (a
    client's PATCH, where the service lets a manager change only the account
    owner and the status).
    """

    message = gettext_lazy(WRITERS_ONLY)

    def has_permission(self, request: Request, view) -> bool:
        if request.method in permissions.SAFE_METHODS or can_write_clients(request.user):
            return True
        return getattr(view, "action", None) in getattr(view, "manager_actions", ()) and request.user.is_manager


@extend_schema_view(
    list=extend_schema(summary="List clients (filter by status, account owner, search)"),
    retrieve=extend_schema(summary="One client"),
    create=extend_schema(
        summary="Create a client (and its empty brief)",
        responses={201: ClientSerializer, 400: INVALID, 403: FORBIDDEN},
    ),
    partial_update=extend_schema(
        summary="Change a client (account owner and status: the owner or a manager; a manager changes only those)",
        responses={200: ClientSerializer, 400: INVALID, 403: FORBIDDEN},
    ),
)
class ClientViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ClientSerializer
    permission_classes = [permissions.IsAuthenticated, WritesNeedSales]
    # A manager changes a client's account owner and status, nothing else (SPEC §2).
    manager_actions = ("partial_update",)
    filterset_class = ClientFilter
    # Ids only: ``/clients/abc/brief/`` is a 404, not a ValueError in the brief's lookup.
    lookup_value_regex = r"\d+"
    ordering_fields = ["name", "created_at", "status"]
    # PUT only for the brief; a client changes with PATCH.
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    def get_queryset(self) -> QuerySet[Client]:
        return client_list(user=self.request.user)

    def _with_counts(self, client: Client) -> Client:
        return self.get_queryset().get(pk=client.pk)

    def create(self, request: Request, *args, **kwargs) -> Response:
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        client = client_create(actor=request.user, **body.validated_data)
        return Response(self.get_serializer(self._with_counts(client)).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        client = self.get_object()
        body = self.get_serializer(client, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        client = client_update(actor=request.user, client=client, **body.validated_data)
        return Response(self.get_serializer(self._with_counts(client)).data)

    def _brief_response(self, request: Request, client: Client, brief: ClientBrief) -> Response:
        visible = brief_confidential_visible_to(user=request.user, client=client)
        return Response(BriefSerializer(brief, context={"confidential_visible": visible}).data)

    @extend_schema(
        methods=["GET"],
        summary="The client's brief (without confidential_notes unless you are entitled to them)",
        responses={200: BriefSerializer},
    )
    @extend_schema(
        methods=["PUT"],
        summary="Save the brief at the version you read",
        request=BriefUpdateSerializer,
        responses={200: BriefSerializer, 400: INVALID, 403: FORBIDDEN, 409: STALE},
    )
    @action(detail=True, methods=["get", "put"], url_path="brief", serializer_class=BriefSerializer)
    def brief(self, request: Request, pk: str | None = None) -> Response:
        client = get_object_or_404(clients_visible_to(request.user).select_related("brief", "brief__updated_by"), pk=pk)
        if request.method == "GET":
            brief, _ = ClientBrief.objects.get_or_create(client=client)
            return self._brief_response(request, client, brief)
        body = BriefUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        version = data.pop("version")
        brief = brief_update(actor=request.user, client=client, version=version, **data)
        return self._brief_response(request, client, brief)


@extend_schema_view(
    list=extend_schema(summary="List contacts (filter with ?client=)"),
    retrieve=extend_schema(summary="One contact"),
    create=extend_schema(summary="Add a contact", responses={201: ContactSerializer, 400: INVALID, 403: FORBIDDEN}),
    partial_update=extend_schema(
        summary="Change a contact", responses={200: ContactSerializer, 400: INVALID, 403: FORBIDDEN}
    ),
    destroy=extend_schema(
        summary="Remove a contact (their direct reports move up to the contact's manager)",
        responses={204: None, 403: FORBIDDEN},
    ),
)
class ContactViewSet(viewsets.ModelViewSet):
    serializer_class = ContactSerializer
    permission_classes = [permissions.IsAuthenticated, WritesNeedSales]
    filterset_class = ContactFilter
    lookup_value_regex = r"\d+"
    ordering_fields = ["name", "created_at"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Contact]:
        return contact_list(user=self.request.user)

    def create(self, request: Request, *args, **kwargs) -> Response:
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        contact = contact_create(actor=request.user, **body.validated_data)
        return Response(self.get_serializer(contact).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        contact = self.get_object()
        body = self.get_serializer(contact, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data = {field: value for field, value in body.validated_data.items() if field != "client"}
        contact = contact_update(actor=request.user, contact=contact, **data)
        return Response(self.get_serializer(contact).data)

    def destroy(self, request: Request, *args, **kwargs) -> Response:
        contact_delete(actor=request.user, contact=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
