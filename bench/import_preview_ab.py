"""A/B of the import preview's table (``python bench/import_preview_ab.py``): the rows of 10 000 lines
of 11 columns rendered by the template loop the page had (arm A, copied below) and by the template tag
``exchange/templatetags/import_tags.py`` that replaced it (arm B), in turn, three rounds, one process.
No database: the rows are made up the way ``exchange.views._context`` hands them to the template.
"""

from __future__ import annotations

import os
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

from django.template import engines  # noqa: E402
from django.utils import translation  # noqa: E402

LOOP = """{% load i18n %}{% for line, cells in preview_rows %}
<tr{% if line.has_errors %} class="row--error"{% endif %}>
  <td data-label="{% translate 'Row' %}">{{ line.number }}</td>
  <td data-label="{% translate 'Action' %}">{% if line.has_errors %}<span class="badge badge--bad">{% translate "error" %}</span>{% else %}<span class="badge badge--{% if line.action == 'create' %}ok{% elif line.action == 'update' %}warn{% else %}muted{% endif %}">{{ line.action_label }}</span>{% endif %}
    {% for message in line.row_messages %}<p class="field-error">{{ message }}</p>{% endfor %}</td>
  {% for label, value, cell_errors in cells %}
  <td data-label="{{ label }}"{% if cell_errors %} class="field--error"{% endif %}>{{ value }}{% for message in cell_errors %}<p class="field-error">{{ message }}</p>{% endfor %}</td>
  {% endfor %}
</tr>
{% endfor %}"""
TAG = "{% load import_tags %}{% import_preview_rows preview_rows %}"
ROWS, COLUMNS, ROUNDS = 10_000, 11, 3


def preview_rows() -> list:
    labels = [f"Column {number}" for number in range(COLUMNS)]
    rows = []
    for index in range(ROWS):
        bad = index % 50 == 0
        line = types.SimpleNamespace(
            number=index + 2, has_errors=bad, action="create", action_label="create", row_messages=[]
        )
        cells = [
            (label, f"value {index} & <{label}>", ["bad"] if bad and label == "Column 3" else []) for label in labels
        ]
        rows.append((line, cells))
    return rows


def main() -> None:
    rows = preview_rows()
    engine = engines["django"]
    times: dict[str, list[float]] = {"A: template loop": [], "B: template tag": []}
    with translation.override("en"):
        for _ in range(ROUNDS):
            for arm, source in (("A: template loop", LOOP), ("B: template tag", TAG)):
                template = engine.from_string(source)
                start = time.perf_counter()
                template.render({"preview_rows": rows})
                times[arm].append(time.perf_counter() - start)
    print(f"| arm ({ROWS} rows, {COLUMNS} columns) | s per render, {ROUNDS} rounds | best |")
    print("| --- | --- | ---: |")
    for arm, values in times.items():
        print(f"| {arm} | {', '.join(f'{value:.2f}' for value in values)} | {min(values):.2f} |")


if __name__ == "__main__":
    main()
