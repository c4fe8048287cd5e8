"""What a benchmark hands back to run_all: markdown tables, targets, chart data.

Each bench module's `run(...)` returns a Section; its `main()` prints the same
section, so every benchmark can still be run and read alone.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass
class Target:
    """One acceptance target of issue 11, measured in this run."""

    name: str
    measured: str
    limit: str
    met: bool
    note: str = ""


@dataclass
class Section:
    title: str
    tables: list[str] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Chart data: series name -> {label: value}, drawn by run_all.
    chart: dict[str, dict[str, float]] = field(default_factory=dict)
    seconds: float = 0.0

    def markdown(self) -> str:
        parts = [f"## {self.title}", *self.tables]
        parts += [f"- {note}" for note in self.notes]
        return "\n\n".join(parts) + "\n"


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A markdown table; numbers right-aligned."""
    align = ["---" if i == 0 else "---:" for i in range(len(headers))]
    lines = [_row(headers), _row(align)]
    lines += [_row([_cell(value) for value in row]) for row in rows]
    return "\n".join(lines)


def _row(cells: Sequence[object]) -> str:
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 1 else f"{value:.1f}"
    return str(value)


def percentile(samples: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (share in 0..1)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def p50(samples: Sequence[float]) -> float:
    return statistics.median(samples)


def p95(samples: Sequence[float]) -> float:
    return percentile(samples, 0.95)


def timed_ms(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return (time.perf_counter() - started) * 1000


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min)"


def verdict(met: bool) -> str:
    return "met" if met else "**MISSED**"
