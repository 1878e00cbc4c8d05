"""Mentions per week as a small inline SVG, drawn on the server: no script, no CDN, no network.

Why hand-drawn SVG rather than a chart plugin: the page must render offline and without
JavaScript (datasette-vega and friends load Vega from a CDN and draw in the browser), and a
stacked bar per week is a few rectangles. The figures are also written in each bar's
``<title>`` (a tooltip) and in a table under the chart, for screen readers and for reading.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from markupsafe import Markup, escape

#: colour-blind-safe palette (Okabe–Ito), one colour per series in order
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP = 640, 160, 28, 18, 6


def weeks_between(first: date, last: date) -> list[date]:
    """Mondays from the week of ``first`` to the week of ``last``."""
    start = first - timedelta(days=first.weekday())
    end = last - timedelta(days=last.weekday())
    return [start + timedelta(weeks=i) for i in range((end - start).days // 7 + 1)]


def stacked_weeks(
    counts: Mapping[tuple[str, str], int], weeks: list[date], series: list[str], title: str
) -> Markup:
    """``counts[(monday ISO, series)] = n`` → an SVG of one stacked bar per week.

    ``series`` gives the order (and colours); labels are display names already.
    """
    totals = [sum(counts.get((w.isoformat(), s), 0) for s in series) for w in weeks]
    top = max(totals, default=0) or 1
    plot_w, plot_h = WIDTH - PAD_LEFT, HEIGHT - PAD_BOTTOM - PAD_TOP
    bar_w = plot_w / max(len(weeks), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'class="vigie-chart" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{PAD_LEFT}" y1="{PAD_TOP + plot_h}" x2="{WIDTH}" y2="{PAD_TOP + plot_h}" '
        'stroke="#888" stroke-width="1"/>',
        f'<text x="{PAD_LEFT - 4}" y="{PAD_TOP + 8}" text-anchor="end" font-size="10">{top}</text>',
        f'<text x="{PAD_LEFT - 4}" y="{PAD_TOP + plot_h}" text-anchor="end" font-size="10">0</text>',
    ]
    for i, week in enumerate(weeks):
        x, y = PAD_LEFT + i * bar_w, float(PAD_TOP + plot_h)
        for j, name in enumerate(series):
            n = counts.get((week.isoformat(), name), 0)
            if not n:
                continue
            h = plot_h * n / top
            y -= h
            tip = f"semaine du {week.strftime('%d/%m/%Y')} : {name}, {n}"
            parts.append(
                f'<rect x="{x + 0.5:.1f}" y="{y:.1f}" width="{max(bar_w - 1, 1):.1f}" '
                f'height="{h:.1f}" fill="{PALETTE[j % len(PALETTE)]}">'
                f"<title>{escape(tip)}</title></rect>"
            )
        if week.day <= 7:  # first week of a month: a tick label
            parts.append(
                f'<text x="{x:.1f}" y="{HEIGHT - 4}" font-size="10">{week.strftime("%m/%y")}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def legend(series: list[str]) -> list[tuple[str, str]]:
    """(name, colour) pairs, in the chart's order."""
    return [(name, PALETTE[i % len(PALETTE)]) for i, name in enumerate(series)]
