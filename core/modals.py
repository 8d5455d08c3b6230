"""Modal forms: htmx loads the fragment into the page's dialog; a plain request gets it on a page of its own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from core.errors import DomainError
from core.forms import add_service_errors, errors_text
from core.htmx import is_fragment, redirect_after


def render_modal(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    title: str,
    crumbs: list[tuple[str, str]],
) -> HttpResponse:
    """``template`` as the dialog's content (htmx), or wrapped in the full layout with a title and breadcrumbs."""
    if request.htmx:
        return render(request, template, context)
    page = {**context, "modal_template": template, "page_title": title, "crumbs": crumbs}
    return render(request, "_modal_page.html", page)


def modal_form_response(
    request: HttpRequest,
    form: forms.Form,
    *,
    save: Callable[[dict[str, Any]], str],
    template: str,
    context: dict[str, Any],
    title: str,
    crumbs: list[tuple[str, str]],
    back: str,
    refused_in_form: bool = True,
) -> HttpResponse:
    """A modal form that calls one service: shown while ``form`` is unbound (GET), saved when bound (POST).

    ``save(cleaned_data)`` calls the service and returns the success message; the page at ``back``
    shows it (``HX-Redirect`` for htmx, PRG otherwise). A service's ``ValidationError`` lands on the
    form's fields; its ``DomainError`` on the form (``refused_in_form``) or, when the template shows
    it apart, as ``refusal`` in the context (a plain POST gets it as the message). An invalid form is
    shown again in the dialog (htmx) or summed up in a message on ``back``.
    """
    if not form.is_bound:
        return render_modal(request, template, context, title=title, crumbs=crumbs)
    if form.is_valid():
        try:
            message = save(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except DomainError as error:
            if refused_in_form:
                form.add_error(None, error.message)
            elif is_fragment(request):
                return render(request, template, {**context, "refusal": error.message})
            else:
                messages.error(request, error.message)
                return redirect(back)
        else:
            messages.success(request, message)
            return redirect_after(request, back)
    if is_fragment(request):
        return render(request, template, context)
    messages.error(request, errors_text(form))
    return redirect(back)
