"""Where each record's page lives (source paths under docs/; .md becomes .html)."""
from __future__ import annotations

from .records import Record

LISTING_PAGE_SIZE = 200


def unit_page(unit_id: str) -> str:
    return f"units/{unit_id}.md"


def department_page(unit_id: str, dept_id: str) -> str:
    return f"units/{unit_id}/{dept_id}.md"


def person_page(person_id: str) -> str:
    return f"people/{person_id}.md"


def form_page(form_id: str) -> str:
    return f"forms/{form_id}.md"


def rule_page(rule_id: str) -> str:
    return f"rules/{rule_id}.md"


def flow_page(flow_id: str) -> str:
    return f"flows/{flow_id}.md"


def unit_print_page(unit_id: str) -> str:
    return f"print/{unit_id}.md"


def record_page(rec: Record) -> str:
    if rec.type == "unit":
        return unit_page(rec.id)
    if rec.type == "person":
        return person_page(rec.id)
    if rec.type == "rule":
        return rule_page(rec.id)
    if rec.type == "flow":
        return flow_page(rec.id)
    if rec.type in ("personal", "department", "unitform"):
        return form_page(rec.id)
    if rec.type == "campaign":
        return "campaign.md"
    raise ValueError(rec.type)


def listing_page(base: str, n: int) -> str:
    """Page n (1-based) of a paged listing whose first page is base/index.md."""
    return f"{base}/index.md" if n == 1 else f"{base}/page-{n}.md"
