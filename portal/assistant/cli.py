"""`flask assistant check CASE_DIR` and `flask assistant rewrite FILE`."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from portal.assistant.base import Report
from portal.assistant.registry import BACKENDS, AssistantSettings, get_assistant
from portal.casefolder import CaseFolderError, load_case_folder

assistant_cli = AppGroup("assistant", help="Plain-English suggestions and gap checks.")
_BACKEND = click.option(
    "--backend",
    type=click.Choice(sorted(BACKENDS)),
    default="rules",
    show_default=True,
    help="Which assistant to use.",
)
_JSON = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


def _settings() -> AssistantSettings:
    """The app's OPENAI_* config when there is an app, else the environment."""
    try:
        config = current_app.config
    except RuntimeError:
        return AssistantSettings.from_env()
    env = {k: str(v) for k, v in config.items() if k.startswith("OPENAI_") and v}
    return AssistantSettings.from_env(env) if env else AssistantSettings.from_env()


def _print_notices(report: Report) -> None:
    for notice in report.notices:
        click.echo(notice, err=True)


@assistant_cli.command("check", with_appcontext=False)
@click.argument("case_dir", type=click.Path(file_okay=False, path_type=Path))
@_BACKEND
@_JSON
def check_command(case_dir: Path, backend: str, as_json: bool) -> None:
    """Check a case folder and print its gap findings."""
    from portal.assistant.base import CaseMaterial

    try:
        folder = load_case_folder(case_dir)
    except CaseFolderError as exc:
        raise click.ClickException(str(exc)) from exc
    report = get_assistant(backend, _settings()).check_report(
        CaseMaterial.from_case_folder(folder)
    )
    _print_notices(report)
    if as_json:
        click.echo(json.dumps([f.to_dict() for f in report.findings], indent=2))
        return
    if not report.findings:
        click.echo("No gaps found.")
    for f in report.findings:
        quote = f'\n    "{f.quote}"' if f.quote else ""
        click.echo(
            f"[{f.severity}] Section {f.section or '-'} {f.kind}: {f.message}{quote}"
        )


@assistant_cli.command("rewrite", with_appcontext=False)
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@_BACKEND
@_JSON
def rewrite_command(file: Path, backend: str, as_json: bool) -> None:
    """Print plain-English suggestions for a Markdown file."""
    text = file.read_text("utf-8")
    report = get_assistant(backend, _settings()).suggest_report(text)
    _print_notices(report)
    if as_json:
        click.echo(json.dumps([s.to_dict() for s in report.suggestions], indent=2))
        return
    for s in report.suggestions:
        line = text.count("\n", 0, s.start) + 1
        offer = f" -> {s.replacement!r}" if s.replacement is not None else ""
        click.echo(f"line {line}: {s.original[:60]!r}{offer}\n    {s.reason}")
    for key, measures in report.measures.items():
        click.echo(
            f"{key}: Flesch reading ease {measures.flesch_reading_ease}, "
            f"reading age {measures.reading_age}"
        )


def init_app(app: Flask) -> None:
    """Register the `assistant` command group."""
    app.cli.add_command(assistant_cli)
