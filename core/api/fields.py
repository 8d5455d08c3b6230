"""Serializer fields whose behaviour is what the schema says about them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class DecimalString(serializers.DecimalField):
    """A decimal sent as a JSON string (``"12.5"``), as the schema declares it and every answer carries it.

    A JSON number is refused with a 400: binary floating point cannot hold most decimals exactly
    (``0.1``), and the schema (``type: string``) says so. Every writable decimal of the API uses it.
    """

    default_error_messages = {
        "not_a_string": _('Send the amount as a string, for example "12.5", not as a JSON number.'),
    }

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """``true`` or ``false`` (JSON, or the words in a form): ``0``, ``"yes"`` or ``0.0`` are refused."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        if data in ("true", "false"):
            return data == "true"
        self.fail("invalid", input=data)
