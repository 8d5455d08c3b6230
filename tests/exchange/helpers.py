"""Files to import, written as the tests need them."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook

HEADER = [
    "client",
    "industry",
    "website",
    "account_owner",
    "name",
    "title",
    "email",
    "phone",
    "buying_role",
    "communication_style",
    "reports_to",
]


def csv_bytes(
    rows: list[list[str]], *, header: list[str] = HEADER, delimiter: str = ",", encoding: str = "utf-8"
) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[object]], *, header: list[str] = HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def row(
    client="Nordwind GmbH",
    name="Henrike Albers",
    email="henrike@nordwind.example",
    *,
    industry="Logistics",
    website="https://nordwind.example",
    account_owner="",
    title="Managing Director",
    phone="+49 40 123456",
    buying_role="decision_maker",
    style="Calls, not e-mails.",
    reports_to="",
) -> list[str]:
    return [client, industry, website, account_owner, name, title, email, phone, buying_role, style, reports_to]
