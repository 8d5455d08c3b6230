from django.core.paginator import Paginator
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination as DRFPageNumberPagination
from rest_framework.response import Response

from core import pagecache


class KeptCountPaginator(Paginator):
    """The exact ``count`` the API promises, kept by the page cache while the tables it counts are unchanged."""

    @cached_property
    def count(self) -> int:
        return pagecache.count(self.object_list)


class PageNumberPagination(DRFPageNumberPagination):
    """``?page=`` and ``?page_size=`` (at most 200: a larger ask gets 200); a page size that is no number is a 400."""

    django_paginator_class = KeptCountPaginator
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if size < 1:
            raise ValidationError({self.page_size_query_param: [_("A whole number of at least 1, please.")]})
        return min(size, self.max_page_size)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = f"Results per page, at most {self.max_page_size} (default {self.page_size})."
        return parameters


class KeptListMixin:
    """A list endpoint whose page (filters, ordering, page number) is kept by the page cache.

    Exact like the pages (``core.pagecache``): kept for the same user and query string, served only
    while no table the list read has changed. Authentication and permissions still run on every request.
    """

    def list(self, request, *args, **kwargs):
        def build():
            return super(KeptListMixin, self).list(request, *args, **kwargs).data

        data = pagecache.kept(
            pagecache.request_key(request, f"api:{type(self).__module__}.{type(self).__qualname__}"),
            build,
            also_read=(request.user._meta.db_table,),
        )
        return Response(data)
