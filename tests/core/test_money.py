"""Money looks the same on every page (issue 18): one formatter, one template filter, no raw amounts."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.test import override_settings
from django.utils import translation

from core.money import format_money, plain_money

NBSP = "\u00a0"


# --- The formatter ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("12500"), "€12,500.00"),
        ("127500.00", "€127,500.00"),
        (Decimal("0.5"), "€0.50"),
        (Decimal("-1500.255"), "-€1,500.26"),
        (96000, "€96,000.00"),
        (Decimal("1234567.891"), "€1,234,567.89"),
    ],
)
def test_it_formats_money_in_english(value, expected):
    with translation.override("en-gb"):
        assert format_money(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("12500"), f"12.500,00{NBSP}€"),
        ("127500.00", f"127.500,00{NBSP}€"),
        (Decimal("-1500.255"), f"-1.500,26{NBSP}€"),
        (Decimal("1234567.891"), f"1.234.567,89{NBSP}€"),
    ],
)
def test_it_formats_money_in_german(value, expected):
    with translation.override("de"):
        assert format_money(value) == expected


def test_it_shows_a_dash_for_no_amount():
    assert format_money(None) == "—"
    assert format_money("") == "—"
    assert format_money("not a number") == "—"


def test_it_signs_a_change():
    with translation.override("en-gb"):
        assert format_money(Decimal("8500"), signed=True) == "+€8,500.00"
        assert format_money(Decimal("-8500"), signed=True) == "-€8,500.00"
        assert format_money(Decimal("0"), signed=True) == "€0.00"
    with translation.override("de"):
        assert format_money(Decimal("8500"), signed=True) == f"+8.500,00{NBSP}€"


def test_it_uses_the_amounts_own_currency_else_the_setting():
    with translation.override("en-gb"):
        assert format_money("10", "USD") == "$10.00"
        assert format_money("10", "CHF") == f"CHF{NBSP}10.00"
        with override_settings(CURRENCY="GBP"):
            assert format_money("10") == "£10.00"


def test_the_machine_readable_form_is_a_plain_decimal():
    with translation.override("de"):
        assert plain_money(Decimal("12500")) == "12500.00"
        assert plain_money("1234.5") == "1234.50"
        assert plain_money(None) == ""


def test_the_template_filters_use_the_formatter():
    template = Template("{% load money %}{{ a|money }} | {{ b|signed_money }} | {{ a|money:'USD' }} | {{ none|money }}")
    with translation.override("en-gb"):
        text = template.render(Context({"a": Decimal("12500"), "b": Decimal("250"), "none": None}))
    assert text == "€12,500.00 | +€250.00 | $12,500.00 | —"


# --- The pages ------------------------------------------------------------------------------------
def test_the_offer_page_shows_its_value_through_the_filter(client_as, rep):
    from tests.factories import OfferFactory

    offer = OfferFactory(owner=rep, value=Decimal("127500.00"), probability=40)

    page = client_as(rep).get(f"/offers/{offer.pk}/").content.decode()

    assert "€127,500.00" in page
    assert "€51,000.00" in page  # weighted
    assert "127500.00" not in page
    assert "127500.00 EUR" not in page


def test_the_csv_names_the_currency_and_keeps_plain_decimals(client_as, manager):
    import csv
    import io

    from tests.dashboards.world import build_world

    build_world(3, offers=10)
    response = client_as(manager).get("/dashboard/export/pipeline_by_status.csv")

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Status", "Offers", f"Value ({settings.CURRENCY})", f"Weighted value ({settings.CURRENCY})"]
    for row in rows[1:]:
        assert re.fullmatch(r"-?\d+\.\d\d", row[2]) and re.fullmatch(r"-?\d+\.\d\d", row[3]), row


# --- The templates: no amount printed any other way ---------------------------------------------
TEMPLATE_DIRS = [Path(settings.BASE_DIR) / "templates", *Path(settings.BASE_DIR).glob("*/templates")]
# The last name of a variable that holds an amount of money.
MONEY_NAME = re.compile(r"^(value|weighted|budget|cost_impact|amount|price|[a-z_]+_value|[a-z_]+_weighted)$")
MONEY_FILTERS = {"money", "signed_money"}
# {{ expression }} and the name=expression assignments of {% blocktranslate with … %} / {% with … %}.
OUTPUT = re.compile(r"\{\{\s*(?P<expr>.+?)\s*\}\}")
ASSIGNMENT_TAG = re.compile(r"\{%\s*(?:blocktranslate|blocktrans|with)\b(?P<body>.*?)%\}")
ASSIGNMENT = re.compile(r"\b\w+=(?P<expr>[^\s%]+)")


def _is_raw_money(expr: str) -> bool:
    variable, *filters = expr.split("|")
    parts = variable.strip().split(".")
    if len(parts) < 2 or not MONEY_NAME.match(parts[-1]):
        return False  # a bare loop variable (``{{ value }}``) or not an amount
    # A form field's value (``form.value.value``, ``field.value``) is what the user typed, not an amount to format.
    if any("form" in part for part in parts) or parts[-2] in {"field", "choice", "option"}:
        return False
    return not any(re.match(r"\s*(\w+)", f).group(1) in MONEY_FILTERS for f in filters if f.strip())


def raw_money_in_templates() -> list[str]:
    found = []
    for directory in TEMPLATE_DIRS:
        for path in sorted(directory.rglob("*")):
            if path.suffix not in {".html", ".txt"}:
                continue
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                expressions = [m.group("expr") for m in OUTPUT.finditer(line)]
                for tag in ASSIGNMENT_TAG.finditer(line):
                    expressions += [m.group("expr") for m in ASSIGNMENT.finditer(tag.group("body"))]
                for expr in expressions:
                    if _is_raw_money(expr):
                        name = expr.split("|")[0].strip()
                        where = path.relative_to(settings.BASE_DIR)
                        found.append(
                            f"{where}:{number}: `{expr}` prints an amount of money raw; write `{name}|money` "
                            f"(or `{name}|signed_money` for a change, `{name}|money:currency` for another currency) "
                            "with {% load money %} at the top of the template"
                        )
    return found


def test_no_template_prints_an_amount_of_money_raw():
    found = raw_money_in_templates()

    assert not found, "Amounts of money must go through the money filter (core/money.py):\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("line", "raw"),
    [
        ("{{ offer.value }}", True),
        ('{{ offer.value|floatformat:"2g" }} {{ CURRENCY }}', True),
        ("{{ project.budget|floatformat:2 }}", True),
        ("{{ row.won_value|intcomma }}", True),
        ("{% blocktranslate with amount=offer.value %}Worth {{ amount }}{% endblocktranslate %}", True),
        ("{{ offer.value|money }}", False),
        ("{{ change.cost_impact|signed_money }}", False),
        ("{% blocktranslate with amount=offer.value|money %}Worth {{ amount }}{% endblocktranslate %}", False),
        ("{{ form.value.value|default:'' }}", False),
        ("{{ field.value }}", False),
        ("{{ value }}", False),
        ("{{ offer.probability }}", False),
    ],
)
def test_the_scan_tells_raw_amounts_from_formatted_ones(line, raw):
    expressions = [m.group("expr") for m in OUTPUT.finditer(line)]
    for tag in ASSIGNMENT_TAG.finditer(line):
        expressions += [m.group("expr") for m in ASSIGNMENT.finditer(tag.group("body"))]
    assert any(_is_raw_money(expr) for expr in expressions) is raw
