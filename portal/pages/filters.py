"""Jinja filters and globals shared by every template."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask

from auth import policy
from portal import domain
from portal.services import section_k
from portal.services.cases import is_overdue


def format_date(value: date | datetime | None) -> str:
    """GOV.UK style: 5 January 2026."""
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y}"


def format_datetime(value: datetime | None) -> str:
    """GOV.UK style with a 12-hour time in UTC: 5 January 2026 at 2:05pm."""
    if value is None:
        return ""
    hour = value.hour % 12 or 12
    return (
        f"{format_date(value)} at {hour}:{value:%M}{'am' if value.hour < 12 else 'pm'}"
    )


def year_group_label(year: int | None) -> str:
    """Reception for 0, Year N otherwise."""
    if year is None:
        return "Not in a school year"
    return "Reception" if year == 0 else f"Year {year}"


def init_app(app: Flask) -> None:
    """Register the filters and globals."""
    app.jinja_env.filters.update(
        date=format_date,
        datetime=format_datetime,
        year_group=year_group_label,
        discipline=domain.discipline_label,
        role=lambda r: domain.ROLE_LABELS.get(r, r),
    )
    globals_: dict[str, Any] = {
        "can_open_cases": policy.can_open_cases,
        "is_overdue": is_overdue,
        "section_titles": domain.SECTION_TITLES,
        "k_details": section_k.details,
    }
    app.jinja_env.globals.update(globals_)
