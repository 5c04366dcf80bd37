"""The `openai` backend: any OpenAI-compatible chat-completions endpoint.

It always runs the rules first and adds to them: whole-sentence rewrites at a
reading age of about 9 to 11, and advice recommendations the plan does not
carry. Text is redacted before it leaves the server and restored in the
answer; each rewrite goes through the guard. When the model cannot be used
(timeout, rate limit, 5xx, malformed answer) the report carries the rules'
results and a notice for the page.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import openai

from portal.assistant.base import (
    AdviceItem,
    AssistantUnavailable,
    CaseMaterial,
    Finding,
    Report,
    Suggestion,
)
from portal.assistant.guard import check_rewrite
from portal.assistant.redaction import Redactor
from portal.assistant.registry import AssistantSettings
from portal.assistant.rules import RuleBasedAssistant

log = logging.getLogger(__name__)

REWRITE_PROMPT = """You help a council write an Education, Health and Care Plan in plain \
English for a reading age of about 9 to 11. Rewrite only sentences or paragraphs that \
are hard to read. Keep every number, frequency, duration, name, negation and every \
placeholder in square brackets exactly as written; add no facts; use "will" for \
commitments. Answer with JSON only: {"rewrites": [{"original": "<exact text copied from \
the input>", "rewrite": "<plain version>", "reason": "<short reason>"}]}"""

CHECK_PROMPT = """You review an Education, Health and Care Plan against the professional \
advice behind it. List each specific recommendation in the advice (especially amounts such \
as "3 x 20 minutes per week") that the plan leaves out or waters down. Placeholders in \
square brackets stand for names. Answer with JSON only: {"findings": [{"section": "F, G, \
H1 or H2", "advice": "<the id of the advice it comes from, e.g. A1>", "recommendation": \
"<the advice's words>", "plan_quote": "<exact watered-down plan text, or empty>", \
"message": "<one sentence for the caseworker>"}]}"""


def _parse_json(content: str | None) -> dict[str, Any]:
    text = (content or "").strip()
    text = re.sub(r"^```(?:json)?\s*|\s*```$", "", text)
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        raise AssistantUnavailable(
            "its answer was not the JSON the portal asked for"
        ) from None
    if not isinstance(data, dict):
        raise AssistantUnavailable("its answer was not the JSON the portal asked for")
    return data


class OpenAIAssistant:
    """Rules plus a language model, with redaction and a guard on every rewrite."""

    name = "openai"

    def __init__(self, settings: AssistantSettings | None = None) -> None:
        self.settings = settings or AssistantSettings.from_env()
        self.rules = RuleBasedAssistant()
        self._client: openai.OpenAI | None = None

    def _chat(self, system: str, user: str) -> dict[str, Any]:
        """One chat completion, parsed as JSON; AssistantUnavailable on any failure."""
        s = self.settings
        if not s.is_configured:
            raise AssistantUnavailable(
                "no model is configured (set OPENAI_API_KEY or OPENAI_BASE_URL)"
            )
        if self._client is None:
            self._client = openai.OpenAI(
                base_url=s.base_url,
                api_key=s.api_key or "not-needed",  # local servers accept any key
                timeout=s.timeout,
                max_retries=s.max_retries,
            )
        try:
            response = self._client.chat.completions.create(
                model=s.model,
                temperature=0,
                messages=[
                    {"role": "system", "content": system},
                    {"role": "user", "content": user},
                ],
            )
        except openai.APITimeoutError:
            raise AssistantUnavailable(
                f"it did not answer within {s.timeout:g} seconds"
            ) from None
        except openai.RateLimitError:
            raise AssistantUnavailable(
                "the model service is busy (rate limit reached)"
            ) from None
        except openai.APIStatusError as exc:
            raise AssistantUnavailable(
                f"the model service returned HTTP {exc.status_code}"
            ) from None
        except openai.APIConnectionError:
            raise AssistantUnavailable(
                "the model service could not be reached"
            ) from None
        if not response.choices:
            raise AssistantUnavailable("its answer was empty")
        return _parse_json(response.choices[0].message.content)

    @staticmethod
    def _redactor(material: CaseMaterial | None) -> Redactor:
        if material is None:
            return Redactor()
        return Redactor(material.child_name, material.people, [material.school_name])

    def _rewrites(
        self, text: str, redactor: Redactor, report: Report
    ) -> list[Suggestion]:
        redacted = redactor.redact(text)
        data = self._chat(REWRITE_PROMPT, redacted)
        out = []
        for entry in data.get("rewrites") or []:
            if not isinstance(entry, dict):
                continue
            original_r, rewrite_r = (
                str(entry.get("original", "")),
                str(entry.get("rewrite", "")),
            )
            if not original_r or not rewrite_r or original_r not in redacted:
                continue  # the model must quote the input exactly
            original, rewrite = (
                redactor.restore(original_r),
                redactor.restore(rewrite_r),
            )
            start = text.find(original)
            verdict = check_rewrite(original_r, rewrite_r)
            if start < 0:
                continue
            if not verdict.ok:
                report.rejected.append(
                    {
                        "original": original,
                        "rewrite": rewrite,
                        "problems": verdict.problems,
                    }
                )
                continue
            reason = str(entry.get("reason") or "A plainer version.")
            out.append(
                Suggestion(
                    start,
                    start + len(original),
                    original,
                    rewrite,
                    reason,
                    "llm_rewrite",
                    "llm",
                )
            )
        return out

    def suggest_report(
        self,
        text: str,
        *,
        section: str | None = None,
        material: CaseMaterial | None = None,
    ) -> Report:
        """Rules suggestions plus guarded model rewrites (or a notice why not)."""
        report = self.rules.suggest_report(text, section=section)
        report.backend = self.name
        try:
            report.suggestions += self._rewrites(text, self._redactor(material), report)
        except AssistantUnavailable as exc:
            log.warning("assistant model unavailable: %s", exc.reason)
            report.notices.append(str(exc))
        report.suggestions.sort(key=lambda s: (s.start, -s.end))
        return report

    def suggest(self, text: str, *, section: str | None = None) -> list[Suggestion]:
        """Rules suggestions plus guarded model rewrites."""
        return self.suggest_report(text, section=section).suggestions

    def _model_findings(self, material: CaseMaterial) -> list[Finding]:
        # The model only compares advice with the plan: with no advice in the
        # material (a reader other than the caseworker) nothing is sent at all.
        advice = {f"A{n}": a for n, a in enumerate(material.advice, 1) if a.text}
        if not advice:
            return []
        redactor = self._redactor(material)
        plan = "\n\n".join(f"## Section {k}\n{v}" for k, v in material.sections.items())
        listed = "\n\n".join(
            f"### {key}: {a.title or a.role}\n{a.text}" for key, a in advice.items()
        )
        data = self._chat(
            CHECK_PROMPT, redactor.redact(f"# PLAN\n{plan}\n\n# ADVICE\n{listed}")
        )
        entries = [e for e in data.get("findings") or [] if isinstance(e, dict)]
        return [self._model_finding(e, material, advice, redactor) for e in entries]

    @staticmethod
    def _model_finding(
        entry: dict[str, Any],
        material: CaseMaterial,
        advice: dict[str, AdviceItem],
        redactor: Redactor,
    ) -> Finding:
        """One of the model's findings, restored, quoting only exact plan text."""
        section = (
            str(entry.get("section") or "F").upper().replace("SECTION", "").strip()
        )
        quote = redactor.restore(str(entry.get("plan_quote") or ""))
        if quote and quote not in material.sections.get(section, ""):
            quote = ""  # only exact plan text may be quoted
        message = redactor.restore(str(entry.get("message") or ""))
        rec = redactor.restore(str(entry.get("recommendation") or ""))
        # The model names advice by the id it was shown; an id it made up names nothing.
        source = advice.get(str(entry.get("advice") or "").strip())
        origin = f"From {source.name}" if source else "Advice"
        if rec:
            text = f"{message} ({origin}: '{rec}')"
        else:
            text = f"{message} ({origin}.)" if source else message
        link = source.link if source else ""
        return Finding(
            section,
            "advice_recommendation_not_in_plan",
            "medium",
            text,
            quote,
            link=link,
            link_text=source.name if source and link else "",
        )

    def check_report(self, material: CaseMaterial) -> Report:
        """Rules findings plus model findings on advice (or a notice why not)."""
        report = self.rules.check_report(material)
        report.backend = self.name
        try:
            model = self._model_findings(material)
        except AssistantUnavailable as exc:
            log.warning("assistant model unavailable: %s", exc.reason)
            report.notices.append(str(exc))
            return report
        have = {(f.section, f.kind, f.quote) for f in report.findings}
        report.findings += [
            f for f in model if (f.section, f.kind, f.quote) not in have or not f.quote
        ]
        return report

    def check(self, material: CaseMaterial) -> list[Finding]:
        """Rules findings plus model findings on advice."""
        return self.check_report(material).findings
