"""The demo's closing report, as plain text: answers, scores, summary, analytics.

Everything comes from what the API returned for the session (responses with
their transcription data and scores, the feedback and its summary), and the
analytics from the same code `python -m local.report` prints with.
"""

from __future__ import annotations

import os
import re
import textwrap
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import jiwer
import psycopg

from local import report as analytics_report
from talentsync.analytics.service import read_report

if TYPE_CHECKING:
    from local.demo import AnsweredQuestion, DemoRun

WIDTH = 88
LABEL_WIDTH = 16
SEGMENTS_SHOWN = 3
VENDOR_KEYS = ("OPENAI_API_KEY", "ASSEMBLYAI_API_KEY")
SAMPLE_NOTE = (
    "NOTE: each bundled sample was recorded for one bank question, but the "
    "session's questions are chosen by the API and the follow-up selector, which "
    "may ask others: an answer may not fit the question it was given, and its "
    "score says so. 'recorded for' shows the question a sample was meant for."
)


def print_report(run: DemoRun) -> None:
    print(render_report(run))
    print_analytics(run.database_url)


def render_report(run: DemoRun) -> str:
    sections = [
        header(run),
        *[answer_section(run, answered) for answered in run.answered],
        answers_table(run),
        summary_section(run),
    ]
    return "\n\n".join(sections) + "\n"


def header(run: DemoRun) -> str:
    session = run.session
    lines = [
        "=" * WIDTH,
        "TalentSync demo report",
        "=" * WIDTH,
        field("session", session["id"]),
        field(
            "interview",
            f"{session['job_position']}, {session['difficulty_level']}, "
            f"{session['total_questions']} questions",
        ),
        field("database", without_password(run.database_url)),
        field("transcription", providers_in_use()),
        field("run time", f"{run.elapsed_seconds:.1f}s"),
        "",
        *textwrap.wrap(SAMPLE_NOTE, WIDTH),
    ]
    return "\n".join(lines)


def providers_in_use() -> str:
    configured = [name for name in VENDOR_KEYS if os.environ.get(name)]
    if not configured:
        return "offline engine (no OPENAI_API_KEY or ASSEMBLYAI_API_KEY set)"
    return f"vendors first ({', '.join(configured)} set), offline engine last"


def answer_section(run: DemoRun, answered: AnsweredQuestion) -> str:
    response = response_of(run, answered)
    lines = [
        f"Answer {answered.number} of {len(run.answered)}  "
        f"({answered.answer.path.name})",
        "-" * WIDTH,
        field("question", answered.question_text),
    ]
    if answered.answer.recorded_for is not None:
        lines.append(field("recorded for", recorded_for(answered)))
    if response is None:
        lines.append(field("response", "none recorded"))
        return "\n".join(lines)
    lines += transcript_lines(response, answered)
    lines.append(field("next question", next_question(answered)))
    lines += score_lines(response.get("score"))
    return "\n".join(lines)


def recorded_for(answered: AnsweredQuestion) -> str:
    if answered.answer.recorded_for == answered.question_text:
        return "this question"
    return str(answered.answer.recorded_for)


def next_question(answered: AnsweredQuestion) -> str:
    return answered.next_question_text or "none: the session is complete"


def transcript_lines(response: dict[str, Any], answered: AnsweredQuestion) -> list[str]:
    lines = [
        field("transcript", f'"{response["transcript_text"]}"'),
        field("word timings", timings_summary(response["segments"])),
        field(
            "provider",
            f"{response['provider']}   confidence {response['confidence_score']:.3f}"
            f"   fallback used: {yes_no(response['fallback_used'])}"
            f"   processing {response['processing_time']:.2f}s",
        ),
    ]
    if answered.answer.reference_text is not None:
        wer = word_error_rate(answered.answer.reference_text, transcript_of(response))
        lines.append(field("WER vs script", f"{wer:.1%}"))
    return lines


def timings_summary(segments: list[dict[str, Any]]) -> str:
    """The first segments with their start and end, then how many more."""
    shown = [
        f'{segment["start"]:.2f}-{segment["end"]:.2f}s "{segment["text"].strip()}"'
        for segment in segments[:SEGMENTS_SHOWN]
    ]
    more = len(segments) - SEGMENTS_SHOWN
    if more > 0:
        shown.append(f"(+{more} more segments)")
    return " | ".join(shown) if shown else "no segments"


def score_lines(score: dict[str, Any] | None) -> list[str]:
    if score is None:
        return [field("scores", "not scored yet")]
    figures = "   ".join(
        f"{name} {score[f'{name}_score']:.2f}"
        for name in ("content", "clarity", "completeness", "overall")
    )
    return [
        field("scores", f"{figures}   ({score['scoring_model']})"),
        field("feedback", score.get("feedback_text") or "-"),
    ]


def answers_table(run: DemoRun) -> str:
    headers = ["#", "provider", "confidence", "fallback", "overall", "WER", "file"]
    rows = [answer_row(run, answered) for answered in run.answered]
    return "Answers\n" + table(headers, rows)


def answer_row(run: DemoRun, answered: AnsweredQuestion) -> list[str]:
    response = response_of(run, answered) or {}
    score = response.get("score") or {}
    reference = answered.answer.reference_text
    wer = word_error_rate(reference, transcript_of(response)) if reference else None
    return [
        str(answered.number),
        str(response.get("provider", "-")),
        fixed(response.get("confidence_score")),
        yes_no(response.get("fallback_used")),
        fixed(score.get("overall_score")),
        "-" if wer is None else f"{wer:.1%}",
        answered.answer.path.name,
    ]


def summary_section(run: DemoRun) -> str:
    session = run.session
    lines = [
        "Session summary",
        "-" * WIDTH,
        field("status", session["status"]),
        field(
            "answered",
            f"{session['answered_questions']} of {session['total_questions']}",
        ),
    ]
    summary = run.feedback.get("summary")
    if summary is None:
        lines.append(field("summary", "not written (the session is not complete)"))
        return "\n".join(lines)
    return "\n".join(lines + summary_lines(summary))


def summary_lines(summary: dict[str, Any]) -> list[str]:
    figures = "   ".join(
        f"{name} {summary[f'{name}_score']:.2f}"
        for name in ("content", "clarity", "completeness", "overall")
    )
    categories = ", ".join(
        f"{name} {value:.2f}" for name, value in summary["category_scores"].items()
    )
    return [
        field("mean scores", figures),
        field("by category", categories or "-"),
        field("strengths", "; ".join(summary["strengths"]) or "-"),
        field("to improve", "; ".join(summary["improvements"]) or "-"),
        field("summary", summary["summary_text"]),
    ]


def print_analytics(database_url: str) -> None:
    """The analytics tables of `python -m local.report`, for the same database."""
    print("Analytics (what the scheduled AnalyticsFunction reports)")
    print("-" * WIDTH)
    with psycopg.connect(database_url, autocommit=True) as conn:
        report = read_report(conn, datetime.now(UTC).date())
        analytics_report.print_report(report, analytics_report.stuck_ids(conn))


# -- helpers ----------------------------------------------------------------------


def response_of(run: DemoRun, answered: AnsweredQuestion) -> dict[str, Any] | None:
    wanted = str(answered.transcription_id)
    for response in run.responses:
        if response["transcription_id"] == wanted:
            return response
    return None


def transcript_of(response: dict[str, Any]) -> str:
    return str(response.get("transcript_text") or "")


def word_error_rate(reference: str, hypothesis: str) -> float:
    """WER on lower-case words without punctuation (jiwer)."""
    return float(jiwer.wer(normalized(reference), normalized(hypothesis) or "-"))


def normalized(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s']", " ", text.lower()).split())


def field(label: str, value: object) -> str:
    """`label:` then the value, wrapped under itself."""
    return textwrap.fill(
        str(value),
        WIDTH,
        initial_indent=f"{label + ':':<{LABEL_WIDTH}}",
        subsequent_indent=" " * LABEL_WIDTH,
    )


def yes_no(flag: bool | None) -> str:
    return "-" if flag is None else ("yes" if flag else "no")


def without_password(url: str) -> str:
    info = psycopg.conninfo.conninfo_to_dict(url)
    info.pop("password", None)
    return psycopg.conninfo.make_conninfo("", **info)


def fixed(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [
        max([len(header)] + [len(row[i]) for row in rows])
        for i, header in enumerate(headers)
    ]
    lines = [headers, ["-" * w for w in widths], *rows]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )
