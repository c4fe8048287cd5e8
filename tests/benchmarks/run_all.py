"""Run every benchmark of issue 11 and write one report with a chart.

    .venv/bin/python -m tests.benchmarks.run_all [--scale 1000000]
        [--out reports/benchmarks] [--whisper-base DIR]

`--scale` is the number of responses generated for the query benchmark (the
other counts follow: sessions = responses / 10, questions = responses / 200,
scores = responses). Writes OUT/report.md (markdown tables, every target with
its verdict) and OUT/chart.png. The benchmarks run one after the other, so
none of them measures another's load; each one's figures are compared with a
baseline measured in the same run. Whisper base is benchmarked beside tiny.en
when --whisper-base names its CTranslate2 directory (see bench_offline_engine).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.benchmarks import (
    bench_handlers,
    bench_offline_engine,
    bench_package_size,
    bench_pipeline,
    bench_queries,
    bench_transcription,
)
from tests.benchmarks.data_at_scale import RESPONSES
from tests.benchmarks.results import Section, Target, load_average, table, verdict

DEFAULT_SCALE = RESPONSES
QUERY_RUNS = 300
ANALYTICS_RUNS = 7
HANDLER_SESSIONS = 40
IMPORT_RUNS = 21
TRANSCRIPTION_UPLOADS = 60
PIPELINE_UPLOADS = 40
PIPELINE_WORKERS = [1, 2, 4]
OFFLINE_BEAM = 5


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale", type=int, default=DEFAULT_SCALE, help="responses generated"
    )
    parser.add_argument("--out", type=Path, default=Path("reports/benchmarks"))
    parser.add_argument("--whisper-base", help="CTranslate2 Whisper base directory")
    return parser.parse_args()


# -- offline engine (its own module prints; here its results become a section) --


def offline_engine(whisper_base: str | None) -> Section:
    args = argparse.Namespace(threads=2, beams=str(OFFLINE_BEAM), base_dir=whisper_base)
    results = [
        bench_offline_engine.run_config(args, *config)
        for config in bench_offline_engine.configurations(args)
    ]
    rows = [
        [
            r["model"],
            r["beam"],
            r["load_seconds"],
            r["rtf_overall"],
            max(f["rtf"] for f in r["files"]),
            r["cpu_per_audio_second"],
            sum(f["wer"] for f in r["files"]) / len(r["files"]),
            f"{r['peak_rss_mb']:.0f}",
        ]
        for r in results
    ]
    headers = [
        "model",
        "beam",
        "load s",
        "RTF overall",
        "RTF max",
        "CPU s / audio s",
        "WER mean",
        "peak RSS MB",
    ]
    section = Section("Offline engine (faster-whisper, int8, 2 threads)")
    section.tables.append(table(headers, rows))
    section.targets += [
        Target(
            f"offline engine {r['model']}: real-time factor",
            f"{r['rtf_overall']:.3f} (peak {r['peak_rss_mb']:.0f} MB)",
            "< 1 (faster than real time; no number in the issue)",
            r["rtf_overall"] < 1,
        )
        for r in results
    ]
    if whisper_base is None:
        section.notes.append(
            "Whisper base not measured: pass --whisper-base (bench_offline_engine"
            " --prepare-base fetches it)."
        )
    section.chart = {"RTF": {r["model"]: r["rtf_overall"] for r in results}}
    return section


# -- running and writing ---------------------------------------------------------


def run_section(title: str, work: Callable[[], Section]) -> Section:
    """Run one benchmark; a failure becomes a section saying so, not a crash."""
    print(f"== {title} ...", file=sys.stderr, flush=True)
    started = time.monotonic()
    try:
        section = work()
    # Any failure: the report must still be written, naming what broke.
    except Exception:
        section = Section(title)
        section.notes.append("FAILED:\n\n```\n" + traceback.format_exc() + "```")
        section.targets.append(Target(f"{title} ran", "failed", "runs", False))
    section.seconds = time.monotonic() - started
    print(f"   {section.seconds:.0f} s", file=sys.stderr, flush=True)
    return section


def run_all(args: argparse.Namespace) -> list[Section]:
    fraction = args.scale / RESPONSES
    benchmarks: dict[str, Callable[[], Section]] = {
        "Queries at scale": lambda: bench_queries.run(
            fraction, QUERY_RUNS, ANALYTICS_RUNS
        ),
        "Handlers": lambda: bench_handlers.run(HANDLER_SESSIONS, IMPORT_RUNS),
        "Transcription handler, warm": lambda: bench_transcription.run(
            TRANSCRIPTION_UPLOADS
        ),
        "Pipeline end to end": lambda: bench_pipeline.run(
            PIPELINE_UPLOADS, PIPELINE_WORKERS
        ),
        "Package size": bench_package_size.run,
        "Offline engine": lambda: offline_engine(args.whisper_base),
    }
    return [run_section(title, work) for title, work in benchmarks.items()]


def summary(sections: list[Section]) -> str:
    rows = [
        [section.title, t.name, t.measured, t.limit, verdict(t.met)]
        for section in sections
        for t in section.targets
    ]
    return table(["benchmark", "target", "measured", "target", "verdict"], rows)


def write_report(
    sections: list[Section], args: argparse.Namespace, seconds: float, out: Path
) -> Path:
    timings = ", ".join(f"{s.title} {s.seconds:.0f} s" for s in sections)
    header = [
        "# TalentSync benchmarks",
        f"`python -m tests.benchmarks.run_all --scale {args.scale}` on"
        f" {os.cpu_count()} CPUs, Python {platform.python_version()},"
        f" {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; whole run"
        f" {seconds / 60:.1f} min ({timings}); {load_average()} at the end.",
        "## Targets",
        summary(sections),
        "![benchmarks](chart.png)",
    ]
    text = "\n\n".join(header) + "\n\n" + "\n".join(s.markdown() for s in sections)
    path = out / "report.md"
    path.write_text(text)
    return path


def write_chart(sections: list[Section], out: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    charted = [s for s in sections if s.chart]
    figure, axes = plt.subplots(
        len(charted), 1, figsize=(10, 3.2 * len(charted)), squeeze=False
    )
    for axis, section in zip(axes[:, 0], charted, strict=True):
        draw(axis, section)
    figure.tight_layout()
    path = out / "chart.png"
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def draw(axis: Any, section: Section) -> None:
    """Grouped horizontal bars: one group per label, one bar per series."""
    series = list(section.chart.items())
    labels = list(dict.fromkeys(label for _, values in series for label in values))
    height = 0.8 / len(series)
    for index, (name, values) in enumerate(series):
        positions = [i + index * height for i in range(len(labels))]
        axis.barh(
            positions, [values.get(label, 0) for label in labels], height, label=name
        )
    axis.set_yticks([i + 0.4 - height / 2 for i in range(len(labels))], labels)
    axis.invert_yaxis()
    axis.set_title(section.title)
    if section.title == "Queries at scale":
        axis.set_xscale("log")
        axis.set_xlabel("p50 ms (log scale)")
    axis.legend(loc="lower right", fontsize="small")


def main() -> None:
    args = parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    sections = run_all(args)
    seconds = time.monotonic() - started
    chart = write_chart(sections, args.out)
    report = write_report(sections, args, seconds, args.out)
    print(report.read_text())
    print(f"wrote {report} and {chart} in {seconds / 60:.1f} min", file=sys.stderr)


if __name__ == "__main__":
    main()
