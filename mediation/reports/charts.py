"""Bar charts as plain SVG geometry for the template: readable without JavaScript, colour or sight.

Every bar carries its figure as text, and the chart's <title> and <desc> say the same in words, so a
screen reader gets the whole chart from role="img"."""

from __future__ import annotations

import dataclasses

from mediation.reports.service import Metric

HEIGHT = 240
TOP = 28  # room for the figure above the tallest bar
BOTTOM = 44  # room for two lines of labels
SIDE = 8
MIN_SLOT = 52


@dataclasses.dataclass(frozen=True)
class ChartBar:
    x: float
    y: float
    width: float
    height: float
    centre: float
    figure: str  # above the bar: "75%" or "3"
    label: str  # under the bar: "Mar"
    sublabel: str  # second line: "2027"


@dataclasses.dataclass(frozen=True)
class Chart:
    id: str
    title: str
    desc: str
    width: int
    height: int
    baseline: float
    bars: list[ChartBar]


def _figure(metric: Metric, value: int, total: int | None) -> tuple[float, str]:
    """The bar's height on the chart's scale, and the figure written above it."""
    if metric.kind == "rate":
        if not total:
            return 0.0, "none"
        percent = round(100 * value / total)
        return percent / 100, f"{percent}%"
    return float(value), str(value)


def _describe(metric: Metric, noun: str) -> str:
    if metric.kind == "rate":
        parts = [
            f"{b.label}: {b.value} of {b.total} on time ({round(100 * b.value / b.total)}%)"
            if b.total
            else f"{b.label}: none"
            for b in metric.bars
        ]
    else:
        parts = [f"{b.label}: {b.value}" for b in metric.bars]
    lead = "Per month" if not metric.as_at_today else f"Today, {noun} by who must act"
    return f"{lead}. " + "; ".join(parts) + "."


def bar_chart(metric: Metric, noun: str) -> Chart:
    n = max(len(metric.bars), 1)
    slot = MIN_SLOT if n > 8 else 600 / n
    width = int(SIDE * 2 + slot * n)
    plot = HEIGHT - TOP - BOTTOM
    figures = [_figure(metric, b.value, b.total) for b in metric.bars]
    scale = 1.0 if metric.kind == "rate" else max([f[0] for f in figures] + [1.0])
    bars = []
    for i, (bar, (share, figure)) in enumerate(zip(metric.bars, figures, strict=True)):
        height = plot * share / scale
        bar_width = slot * 0.6
        x = SIDE + slot * i + (slot - bar_width) / 2
        label, sublabel = bar.label, ""
        if bar.start is not None:  # a month: "Mar" over "2027"
            label, sublabel = f"{bar.start:%b}", str(bar.start.year)
        bars.append(
            ChartBar(
                x=round(x, 1),
                y=round(TOP + plot - height, 1),
                width=round(bar_width, 1),
                height=round(height, 1),
                centre=round(x + bar_width / 2, 1),
                figure=figure,
                label=label,
                sublabel=sublabel,
            )
        )
    return Chart(
        id=f"chart-{metric.id}",
        title=metric.title,
        desc=_describe(metric, noun),
        width=width,
        height=HEIGHT,
        baseline=TOP + plot,
        bars=bars,
    )
