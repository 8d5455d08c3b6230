"""Form helpers shared by the apps' forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ``ValidationError`` on the form: on the field it names, else on the form.

    Services raise ``ValidationError({"field": [...]})`` or a plain one; the view shows either
    exactly where the user will look for it.
    """
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def errors_text(form: forms.Form) -> str:
    """A form's errors as one line, for the message after a plain POST."""
    return "; ".join(str(error) for errors in form.errors.values() for error in errors)


class PersonPickerField(forms.ModelChoiceField):
    """A choice of user, shown by full name, that can leave one person out (four eyes, SPEC §7.2).

    ``leave_out(pk, message)`` removes that person from the options; a crafted
    request that names them anyway gets ``message`` instead of Django's generic
    "not one of the available choices", without a query more.
    """

    excluded_pk: int | None = None
    excluded_message: str = ""

    def label_from_instance(self, obj: Any) -> str:
        return obj.full_name

    def leave_out(self, pk: int | None, message: str) -> None:
        if pk is None:
            return
        self.queryset = self.queryset.exclude(pk=pk)
        self.excluded_pk, self.excluded_message = pk, message

    def to_python(self, value: Any) -> Any:
        try:
            return super().to_python(value)
        except ValidationError:
            if self.excluded_pk is not None and str(value).strip() == str(self.excluded_pk):
                raise ValidationError(self.excluded_message, code="four_eyes")
            raise
