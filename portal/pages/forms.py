"""Reading GOV.UK-style form fields, collecting messages for the error summary."""

from __future__ import annotations

from datetime import date

from werkzeug.datastructures import MultiDict


class FormErrors(dict[str, str]):
    """Field id -> message, in the order the fields appear on the page."""

    def summary(self) -> list[tuple[str, str]]:
        """(href, message) pairs for the error summary component."""
        return [(f"#{field}", message) for field, message in self.items()]


def text(
    form: MultiDict[str, str],
    name: str,
    errors: FormErrors,
    *,
    label: str,
    required: bool = True,
    max_length: int = 200,
) -> str:
    """A trimmed text field with required and length checks."""
    value = (form.get(name) or "").strip()
    if required and not value:
        errors[name] = f"Enter {label}."
    elif len(value) > max_length:
        errors[name] = (
            f"{label[0].upper()}{label[1:]} must be {max_length} characters or fewer."
        )
    return value


def date_field(
    form: MultiDict[str, str],
    name: str,
    errors: FormErrors,
    *,
    label: str,
    required: bool = True,
    not_future: bool = False,
    today: date | None = None,
) -> date | None:
    """A GOV.UK date input: three boxes named NAME-day, NAME-month, NAME-year."""
    parts = [(form.get(f"{name}-{p}") or "").strip() for p in ("day", "month", "year")]
    field = f"{name}-day"
    if not any(parts):
        if required:
            errors[field] = f"Enter {label}."
        return None
    if not all(p.isdigit() for p in parts) or len(parts[2]) != 4:
        errors[field] = (
            f"{label[0].upper()}{label[1:]} must be a real date, like 27 3 2026."
        )
        return None
    try:
        value = date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        errors[field] = f"{label[0].upper()}{label[1:]} must be a real date."
        return None
    if not_future and today is not None and value > today:
        errors[field] = f"{label[0].upper()}{label[1:]} must be today or in the past."
    return value


def choice(
    form: MultiDict[str, str],
    name: str,
    options: list[str] | tuple[str, ...],
    errors: FormErrors,
    *,
    message: str,
    required: bool = True,
) -> str | None:
    """A radio or select value that must be one of `options`."""
    value = form.get(name) or None
    if value is None:
        if required:
            errors[name] = message
        return None
    if value not in options:
        errors[name] = message
        return None
    return value
