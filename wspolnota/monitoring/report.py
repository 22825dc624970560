"""The annual monitoring report: drafted live from the data, frozen when the city adopts it.

A draft (or a year with no report yet) is rendered from the current data on each request and says
it is a draft. Adoption (``services.report_adopt``) renders it once more, in Polish, and stores the
body, a tagged PDF/UA-1 document and the data it was drawn from; an adopted report is served from
what was stored and never regenerated. WeasyPrint tags the PDF from the HTML: headings, lists,
tables with their header cells and captions, and each chart's SVG ``<title>`` as its alternative;
``_with_header_scopes`` then gives each table header the /Scope WeasyPrint leaves out.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from wspolnota.monitoring import selectors
from wspolnota.monitoring.models import ReportEdition
from wspolnota.monitoring.texts import METHOD_NOTES

PDF_VARIANT = "pdf/ua-1"


def _no_fetch(url: str, timeout: int = 10, ssl_context: object = None) -> dict[str, object]:
    """The report embeds everything it shows; it never fetches anything from the network."""
    raise ValueError(f"external resource refused: {url}")


def report_context(*, year: int, edition: ReportEdition | None) -> dict[str, Any]:
    """The live report of a year with the edition's summary and commentary attached."""
    report = selectors.annual_report(year=year)
    commentary = edition.commentary if edition is not None else {}
    for view in report.views:
        view.commentary = commentary.get(f"indicator:{view.indicator.code}", "")
        view.method_note = str(METHOD_NOTES.get(view.indicator.code, ""))
    for item in report.actions:
        item.commentary = commentary.get(f"action:{item.action.number}", "")
    return {
        "report": report,
        "edition": edition,
        "site_url": settings.SITE_URL,
        "generated": timezone.localtime(),
    }


def _pdf(*, body_html: str, context: dict[str, Any], request: HttpRequest | None) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "monitoring/report_pdf.html", {**context, "body": mark_safe(body_html)}, request=request
    )
    pdf: bytes = HTML(string=html, url_fetcher=_no_fetch).write_pdf(pdf_variant=PDF_VARIANT)
    return _with_header_scopes(pdf)


def _with_header_scopes(pdf: bytes) -> bytes:
    """Give every table header (TH) in the structure tree its /Scope.

    WeasyPrint links each data cell to its headers (TH /ID, TD /Headers) but writes no /Scope, so
    assistive technology that reads only the scope, and PDF/UA checkers that ask for it, find the
    headers without a direction. The rule is HTML's for ``scope="auto"``, which matches the
    templates' ``scope`` attributes: a header in a row that also has data cells heads that row; a
    header in a row of headers only heads its column.
    """
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        tree = document.Root.get("/StructTreeRoot")
        if tree is None:
            return pdf
        stack = [tree]
        while stack:
            node = stack.pop()
            kids = node.get("/K")
            if kids is None:
                continue
            children = [
                k
                for k in (kids if isinstance(kids, pikepdf.Array) else [kids])
                if isinstance(k, pikepdf.Dictionary) and "/S" in k
            ]
            if node.get("/S") == "/TR":
                has_data = any(c.S == "/TD" for c in children)
                for cell in children:
                    if cell.S != "/TH":
                        continue
                    attributes = _table_attributes(cell)
                    attributes.Scope = pikepdf.Name.Row if has_data else pikepdf.Name.Column
            stack.extend(children)
        out = io.BytesIO()
        document.save(out)
    return out.getvalue()


def _table_attributes(cell: Any) -> Any:
    """The cell's attribute dictionary owned by /Table (made when it has none)."""
    import pikepdf

    attributes = cell.get("/A")
    found = attributes if isinstance(attributes, pikepdf.Array) else [attributes]
    for item in found:
        if isinstance(item, pikepdf.Dictionary) and item.get("/O") == pikepdf.Name.Table:
            return item
    table = pikepdf.Dictionary(O=pikepdf.Name.Table)
    if isinstance(attributes, pikepdf.Array):
        attributes.append(table)
    elif isinstance(attributes, pikepdf.Dictionary):
        cell.A = pikepdf.Array([attributes, table])
    else:
        cell.A = table
    return table


def draft_pdf_bytes(*, year: int, request: HttpRequest | None = None) -> bytes:
    """A year's report as it stands today (not adopted: marked as a draft on every page)."""
    context = report_context(year=year, edition=selectors.report_draft(year=year))
    context["is_draft"] = True
    body = render_to_string("monitoring/_report_body.html", context, request=request)
    return _pdf(body_html=body, context=context, request=request)


# kept for callers of the former name
def report_pdf_bytes(*, year: int, request: HttpRequest | None = None) -> bytes:
    return draft_pdf_bytes(year=year, request=request)


@dataclass(frozen=True)
class Frozen:
    snapshot: dict[str, Any]
    body_html: str
    pdf: bytes


def _snapshot(report: selectors.AnnualReport) -> dict[str, Any]:
    """The data the adopted report was drawn from, as JSON (kept beside the PDF)."""
    indicators = []
    for view in report.views:
        a = view.assessment
        indicators.append(
            {
                "code": view.indicator.code,
                "name": view.indicator.name,
                "baseline": {
                    "text": view.indicator.baseline_text,
                    "year": view.indicator.baseline_year,
                },
                "value_2022": view.indicator.value_2022_text,
                "target": view.indicator.target_text,
                "values": [
                    {
                        "year": m.year,
                        "value": str(m.value),
                        "series": m.series_key,
                        "method": m.method,
                        "source": m.source,
                        "reference_date": m.reference_date.isoformat(),
                        "coverage": m.coverage,
                        "demo": m.demo,
                        "measurement": m.pk,
                    }
                    for m in view.city
                ],
                "districts": {
                    "year": view.district_year,
                    "values": {str(r.district.number): str(r.value) for r in view.districts},
                },
                "assessment": {
                    "status": a.status,
                    "years": list(a.years) if a.years else None,
                    "series": a.series,
                    "confidence": a.confidence,
                    "stale": a.stale,
                    "explanation": a.explanation,
                    "warnings": list(a.warnings),
                },
                "commentary": view.commentary,
            }
        )
    actions = [
        {
            "number": item.action.number,
            "title": item.action.title,
            "links": [
                {
                    "title": link.title,
                    "path": link.platform_path,
                    "url": link.external_url,
                    "description": link.description,
                    "demo": link.demo,
                }
                for link in item.links
            ],
            "activity": [
                {"title": a.title, "path": a.path, "count": a.count} for a in item.activity
            ],
            "commentary": item.commentary,
        }
        for item in report.actions
    ]
    return {"year": report.year, "indicators": indicators, "actions": actions}


def freeze(edition: ReportEdition) -> Frozen:
    """Render the edition once, in the platform's language, for adoption."""
    with translation.override(settings.LANGUAGE_CODE):
        context = report_context(year=edition.year, edition=edition)
        context["is_draft"] = False
        body = render_to_string("monitoring/_report_body.html", context)
        pdf = _pdf(body_html=body, context=context, request=None)
    return Frozen(_snapshot(context["report"]), body, pdf)
