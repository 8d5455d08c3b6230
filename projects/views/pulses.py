"""The client pulse on the project page (inline htmx form and trend chart) and its trend on the client page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core.errors import DomainError
from core.forms import add_service_errors, errors_text
from core.htmx import is_fragment
from core.palette import BAR_FILL, LOST_FILL, WON_FILL
from projects.forms import PulseForm
from projects.models import LOW_MOOD, ClientPulse, Project
from projects.selectors import pulse_trend
from projects.services.pulses import can_record_pulse, pulse_record
from projects.views.sections import load_project, render_project_panel

# The three lines of the trend: the palette of the dashboards' charts, so a colour means the same everywhere.
SERIES = (
    ("mood", gettext_lazy("Mood"), BAR_FILL, ""),
    ("satisfaction", gettext_lazy("Satisfaction"), WON_FILL, ""),
    ("urgency", gettext_lazy("Urgency"), LOST_FILL, "4 3"),
)


# --- The chart ----------------------------------------------------------------------------------
def pulse_chart(pulses: list[ClientPulse], *, with_project: bool = False) -> dict[str, Any] | None:
    """Geometry of the trend (oldest left) on a fixed 1-5 scale; the template draws it as inline SVG."""
    if not pulses:
        return None
    width, height = 480, 200
    left, right, top, bottom = 30, 12, 12, 52
    plot_w, plot_h = width - left - right, height - top - bottom
    count = len(pulses)

    def x_at(index: int) -> float:
        return round(left + (plot_w / 2 if count == 1 else plot_w * index / (count - 1)), 1)

    def y_at(value: int) -> float:
        return round(top + plot_h * (5 - value) / 4, 1)

    series = []
    for field, label, colour, dash in SERIES:
        points = [(x_at(index), y_at(getattr(pulse, field))) for index, pulse in enumerate(pulses)]
        series.append(
            {
                "field": field,
                "label": label,
                "colour": colour,
                "dash": dash,
                "points": " ".join(f"{x},{y}" for x, y in points),
            }
        )
    dots = []
    for index, pulse in enumerate(pulses):
        when = timezone.localtime(pulse.recorded_at)
        scores = {
            "date": date_format(when, "j M Y"),
            "mood": pulse.mood,
            "urgency": pulse.urgency,
            "satisfaction": pulse.satisfaction,
        }
        title = _("%(date)s: mood %(mood)d, urgency %(urgency)d, satisfaction %(satisfaction)d") % scores
        if with_project:
            title = _("%(project)s, %(reading)s") % {"project": pulse.project.name, "reading": title}
        if pulse.note:
            title = f"{title} — {pulse.note[:120]}"
        dots.append({"x": x_at(index), "y": y_at(pulse.mood), "low": pulse.is_low, "title": title})
    step = max(1, (count + 3) // 4)
    labels = [
        {"x": x_at(index), "text": date_format(timezone.localtime(pulses[index].recorded_at), "j M")}
        for index in range(0, count, step)
    ]
    if labels[-1]["x"] != x_at(count - 1) and count > 1:
        if x_at(count - 1) - labels[-1]["x"] < plot_w / 6:
            labels.pop()
        labels.append({"x": x_at(count - 1), "text": date_format(timezone.localtime(pulses[-1].recorded_at), "j M")})
    for label in labels:
        # The end labels stay inside the chart: anchored at their outer edge.
        label["anchor"] = "start" if label["x"] <= left else "end" if label["x"] >= width - right else "middle"
    legend_y = height - 10
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": width - right,
        "ticks": [{"y": y_at(value), "text": value} for value in range(1, 6)],
        "low_y": y_at(LOW_MOOD),
        "series": series,
        "dots": dots,
        "labels": labels,
        "label_y": top + plot_h + 16,
        "legend": [
            {"x": left + index * 130, "text_x": left + index * 130 + 26, "label": label, "colour": colour, "dash": dash}
            for index, (_field, label, colour, dash) in enumerate(SERIES)
        ],
        "legend_y": legend_y,
        "low_fill": LOST_FILL,
        "first": pulses[0].recorded_at,
        "last": pulses[-1].recorded_at,
        "count": count,
    }


# --- Contexts for the project and client pages ----------------------------------------------------
def pulse_context(request: HttpRequest, project: Project, *, form: PulseForm | None = None) -> dict[str, Any]:
    """What the project page's pulse section needs: one query."""
    pulses = pulse_trend(user=request.user, project=project)
    can_record = can_record_pulse(request.user, project)
    return {
        "pulses": pulses,
        "latest_pulse": pulses[-1] if pulses else None,
        "recent_pulses": list(reversed(pulses[-3:])),
        "pulse_chart": pulse_chart(pulses),
        "can_record_pulse": can_record,
        "pulse_form": (form or PulseForm()) if can_record else None,
    }


def client_pulse_context(request: HttpRequest, client: Any) -> dict[str, Any]:
    """The client page's pulse trend over all its projects: one query."""
    pulses = pulse_trend(user=request.user, client=client)
    latest: dict[int, ClientPulse] = {}
    for pulse in pulses:
        latest[pulse.project_id] = pulse
    return {
        "client_pulses": pulses,
        "client_pulse_chart": pulse_chart(pulses, with_project=True),
        "client_latest_pulses": sorted(latest.values(), key=lambda pulse: pulse.recorded_at, reverse=True),
    }


@require_GET
def pulse_section_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The project page's pulse section, loaded after the page: session, user, project, pulses."""
    project = load_project(request, pk)
    return render_project_panel(
        request, project, "projects/_pulse.html", pulse_context(request, project), title=_("Client pulse")
    )


# --- Recording --------------------------------------------------------------------------------
@require_POST
def pulse_record_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Log a pulse from the project page: htmx swaps the pulse section, without JavaScript the page reloads."""
    project = load_project(request, pk)
    if not can_record_pulse(request.user, project):
        raise PermissionDenied(_("Only the project's PM, its sales liaison and managers log the client pulse."))
    form = PulseForm(request.POST)
    form.is_valid()  # nothing to check here: the service judges the scores and the note
    try:
        pulse = pulse_record(
            project=project,
            actor=request.user,
            mood=request.POST.get("mood", ""),
            urgency=request.POST.get("urgency", ""),
            satisfaction=request.POST.get("satisfaction", ""),
            note=request.POST.get("note", ""),
        )
    except ValidationError as error:
        add_service_errors(form, error)
    except DomainError as error:
        form.add_error(None, error.message)
    else:
        if pulse.is_low:
            messages.warning(
                request, _("Pulse logged. The mood is low: the sales liaison and the managers are alerted.")
            )
        else:
            messages.success(request, _("Pulse logged."))
        if not is_fragment(request):
            return redirect(reverse("projects:detail", args=[project.pk]) + "#pulse")
        return render(request, "projects/_pulse_response.html", {"project": project, **pulse_context(request, project)})
    if not is_fragment(request):
        messages.error(request, _("The pulse was not logged: %(errors)s") % {"errors": errors_text(form)})
        return redirect(reverse("projects:detail", args=[project.pk]) + "#pulse")
    return render(
        request, "projects/_pulse_response.html", {"project": project, **pulse_context(request, project, form=form)}
    )
