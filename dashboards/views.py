"""The dashboard page (and its htmx fragment), the risk list behind each heatmap cell, CSV downloads."""

from __future__ import annotations

import csv
import re
import threading
from collections import OrderedDict
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from clients.selectors import client_names_matching
from core.htmx import is_fragment
from core.money import plain_money
from dashboards import charts
from dashboards.filters import DashboardFilters
from dashboards.forms import DashboardFilterForm
from dashboards.metrics.common import Scope
from dashboards.metrics.figures import TABLE_NAMES
from dashboards.metrics.risks import LEVELS, offer_risks, project_risks
from dashboards.models import DashboardSnapshot
from dashboards.selectors import MANAGER, PM, SALES, dashboard_scope, dashboard_snapshot, dashboard_view_for

_INDENTATION = re.compile(r"\n\s+")
TITLES = {MANAGER: _("Dashboard"), SALES: _("My sales dashboard"), PM: _("My projects dashboard")}
RISKS_PER_PAGE = 50


class _RenderedBodies:
    """The rendered figures of recent snapshots, per worker process.

    A snapshot never changes once computed, so its HTML is rendered once per
    process and reused until the beat replaces it (at most every 30 s): the page
    then costs about as much as any small page, not a template walk over every
    table.
    """

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self.items: OrderedDict[tuple, str] = OrderedDict()
        self.lock = threading.Lock()

    def get_or_render(self, key: tuple, render_body) -> str:
        with self.lock:
            body = self.items.get(key)
            if body is not None:
                self.items.move_to_end(key)
                return body
        body = render_body()
        with self.lock:
            self.items[key] = body
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return body

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


rendered_bodies = _RenderedBodies()


def _chosen_view(request: HttpRequest) -> tuple[str, list[str]]:
    return dashboard_view_for(request.user, request.GET.get("view", ""))


def _form(request: HttpRequest, view: str) -> DashboardFilterForm:
    return DashboardFilterForm(request.GET, scoped=view != MANAGER)


def _query(filters: DashboardFilters, view: str, views: list[str]) -> str:
    """The query string that reproduces this page (forced filters left out: they follow from the user)."""
    params = filters.params()
    if view != MANAGER:
        params.pop("rep", None)
        params.pop("pm", None)
    if len(views) > 1:
        params["view"] = view
    return urlencode(sorted(params.items()))


def _scope_note(data: dict[str, Any], view: str) -> str:
    """Whose figures these are, in words (the PM filter reaches offers through their reviews)."""
    if view == SALES:
        return gettext("Your offers, their handoffs, and the projects you are the sales liaison of.")
    if view == PM:
        return gettext("Offers you reviewed, the handoffs assigned to you, and the projects you manage.")
    filters, options = data["filters"], data["options"]
    parts = []
    if filters["rep_id"]:
        names = [person["name"] for person in options["reps"] if person["id"] == filters["rep_id"]]
        parts.append(
            gettext("sales rep %(name)s (offers, handoffs, projects as liaison)")
            % {"name": names[0] if names else filters["rep_id"]}
        )
    if filters["pm_id"]:
        names = [person["name"] for person in options["pms"] if person["id"] == filters["pm_id"]]
        parts.append(
            gettext("PM %(name)s (offers reviewed, handoffs, projects managed)")
            % {"name": names[0] if names else filters["pm_id"]}
        )
    if options["client"]:
        parts.append(gettext("client %(name)s") % {"name": options["client"]["name"]})
    # The parts are whole phrases of their own; "; " joins them in every language we speak.
    return gettext("Filtered to %(parts)s.") % {"parts": "; ".join(parts)} if parts else gettext("The whole company.")


def _localized_tables(tables: dict[str, Any]) -> dict[str, Any]:
    """The snapshot's tables with titles, column names and row labels in the reader's language.

    The snapshot stores them in English (``gettext_noop`` in ``dashboards.metrics``): one snapshot
    serves every reader, and each page translates what it shows.
    """
    localized = {}
    for name, table in tables.items():
        rows = table["rows"]
        if name == "won_lost_by_month":
            rows = [{**row, "label": charts.month_label(row["month"])} for row in rows]
        elif rows and "label" in rows[0]:
            rows = [{**row, "label": gettext(row["label"])} for row in rows]
        localized[name] = {
            **table,
            "title": gettext(table["title"]),
            "columns": [[key, gettext(label)] for key, label in table["columns"]],
            "rows": rows,
        }
    return localized


def _body(snapshot: DashboardSnapshot, view: str, views: list[str], filters: DashboardFilters) -> str:
    def render_body() -> str:
        data = snapshot.data
        tables = _localized_tables(data["tables"])
        context = {
            # Rendered without the request (the HTML is shared between users): no context processors.
            "CURRENCY": settings.CURRENCY,
            "data": data,
            "sections": data["sections"],
            "tables": tables,
            "view": view,
            "views": views,
            "view_titles": TITLES,
            "title": TITLES[view],
            "filters": filters,
            "query": _query(filters, view, views),
            "as_of": parse_datetime(data["as_of"]),
            "scope_note": _scope_note(data, view),
            "month_chart": charts.month_bars(tables["won_lost_by_month"]["rows"]),
            "status_chart": charts.status_bars(tables["pipeline_by_status"]["rows"]),
        }
        # The template's indentation is a tenth of the page (no <pre> or <textarea> in it): one
        # newline keeps the same rendering in a smaller body.
        return _INDENTATION.sub("\n", render_to_string("dashboards/_body.html", context))

    # The body formats money and numbers for the active language: one rendering per language.
    key = (snapshot.key, snapshot.computed_at.isoformat(), view, tuple(views), translation.get_language())
    return mark_safe(rendered_bodies.get_or_render(key, render_body))  # noqa: S308 - our own template's output


@require_GET
@vary_on_headers("HX-Request")
def dashboard(request: HttpRequest) -> HttpResponse:
    """Managers: the whole company. Reps and PMs: the same figures, filtered to their own offers and projects."""
    view, views = _chosen_view(request)
    form = _form(request, view)
    if not form.is_valid():
        context = {"form": form, "title": TITLES[view], "view": view, "views": views, "view_titles": TITLES}
        if is_fragment(request):
            # htmx does not swap error responses: the fragment with the errors comes with a 200.
            return render(request, "dashboards/_invalid.html", context)
        return render(request, "dashboards/dashboard.html", {**context, "invalid": True}, status=400)
    view, filters = dashboard_scope(user=request.user, filters=form.filters(), view=view)
    body = _body(dashboard_snapshot(filters=filters), view, views, filters)
    if is_fragment(request):
        return HttpResponse(body)
    return render(request, "dashboards/dashboard.html", {"body": body, "title": TITLES[view]})


# Amounts in the CSV are plain decimals with a dot ("12500.00"), as in the API, so that every
# spreadsheet and script reads them as numbers whatever its locale; the header names the currency.
MONEY_COLUMNS = frozenset(
    {"value", "weighted", "open_value", "open_weighted", "won_value", "lost_value", "cost_impact"}
)


def _csv_header(key: str, label: str) -> str:
    """The column's name in the reader's language; money columns name the currency."""
    label = gettext(label)
    if key in MONEY_COLUMNS:
        return gettext("%(column)s (%(currency)s)") % {"column": label, "currency": settings.CURRENCY}
    return label


def _csv_cell(value: Any) -> Any:
    """Neutralise text a spreadsheet would run as a formula (client names and reasons are user input)."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value


@require_GET
def export_csv(request: HttpRequest, table: str) -> HttpResponse:
    """Every row of one table, with the page's filters, from the same snapshot as the page."""
    if table not in TABLE_NAMES:
        raise Http404(gettext("No such table."))
    view, _views = _chosen_view(request)
    form = _form(request, view)
    if not form.is_valid():
        errors = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in form.errors.items())
        return HttpResponse(
            gettext("Invalid filters: %(errors)s") % {"errors": errors} + "\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    view, filters = dashboard_scope(user=request.user, filters=form.filters(), view=view)
    snapshot = dashboard_snapshot(filters=filters, with_tables=True)
    columns = snapshot.data["tables"][table]["columns"]
    stamp = timezone.localtime(snapshot.computed_at).strftime("%Y%m%d-%H%M%S")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{table}-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerow([_csv_header(key, label) for key, label in columns])
    for row in snapshot.tables[table]:
        writer.writerow(
            [
                plain_money(row.get(key))
                if key in MONEY_COLUMNS
                else _csv_cell(gettext(row["label"]) if key == "label" and row.get("label") else row.get(key))
                for key, _label in columns
            ]
        )
    return response


@require_GET
def risk_list(request: HttpRequest) -> HttpResponse:
    """The open risks behind one heatmap cell (``?p=`` probability, ``?i=`` impact), with the page's filters."""
    view, views = _chosen_view(request)
    form = _form(request, view)
    try:
        probability, impact = int(request.GET.get("p", "")), int(request.GET.get("i", ""))
    except ValueError:
        probability = impact = 0
    if probability not in LEVELS or impact not in LEVELS or not form.is_valid():
        return render(
            request,
            "dashboards/risks.html",
            {
                "form": form,
                "cell_error": gettext("Choose a cell of the heatmap: p and i from 1 to 5."),
                "title": gettext("Risks"),
            },
            status=400,
        )
    view, filters = dashboard_scope(user=request.user, filters=form.filters(), view=view)
    scope = Scope(filters=filters, now=timezone.now())
    on_offers = (
        offer_risks(scope)
        .filter(probability=probability, impact=impact)
        .select_related("offer", "offer__client", "owner")
        .order_by("-id")
    )
    on_projects = (
        project_risks(scope)
        .filter(probability=probability, impact=impact)
        .select_related("project", "project__client", "owner")
        .order_by("-id")
    )
    page = Paginator(_Concatenated(on_offers, on_projects), RISKS_PER_PAGE).get_page(request.GET.get("page"))
    query = _query(filters, view, views)
    context = {
        "page": page,
        "probability": probability,
        "impact": impact,
        "query": query,
        "cell_query": "&".join(part for part in (query, f"p={probability}&i={impact}") if part),
        "title": gettext("Open risks, probability %(probability)s x impact %(impact)s")
        % {"probability": probability, "impact": impact},
    }
    return render(request, "dashboards/risks.html", context)


class _Concatenated:
    """Two querysets paged as one list (offer risks first), with two COUNTs and at most two slices per page."""

    def __init__(self, first, second) -> None:
        self.first, self.second = first, second
        self._first_count: int | None = None

    def _count_first(self) -> int:
        if self._first_count is None:
            self._first_count = self.first.count()
        return self._first_count

    def count(self) -> int:
        return self._count_first() + self.second.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list:
        start, stop = window.start or 0, window.stop
        split = self._count_first()
        items = []
        if start < split:
            items += [("offer", risk) for risk in self.first[start : min(stop, split)]]
        if stop > split:
            items += [("project", risk) for risk in self.second[max(start - split, 0) : stop - split]]
        return items


@require_GET
def client_options(request: HttpRequest) -> HttpResponse:
    """Client names for the filter box's suggestions, as the user types."""
    _chosen_view(request)
    name = request.GET.get("client_name", "").strip()[:100]
    clients = client_names_matching(user=request.user, text=name) if len(name) >= 2 else []
    return render(request, "dashboards/_client_options.html", {"clients": clients})


@login_not_required
def bench_trivial(request: HttpRequest) -> HttpResponse:
    """The benchmark's ceiling: a Django view doing nothing (routed only with BENCH_TRIVIAL_VIEW=true)."""
    return HttpResponse(b"ok", content_type="text/plain")


def bench_layout(request: HttpRequest) -> HttpResponse:
    """The benchmark's second reference: a signed-in page with the portal's layout and nothing in it.

    Every page pays for this floor (session, user, roles, the header's inbox
    badge, base.html); the report shows it so each page's own cost is visible.
    """
    return render(request, "dashboards/bench_layout.html")
