"""The two charts, as inline SVG made on the server: conversations per day (stacked bars by
outcome) and a walk-through's funnel (one bar per step). No script draws them, so they show
under the page's CSP; each has a <title> and <desc> for screen readers, and the page puts the
same numbers in a table beside it. Colours come from the stylesheet (classes `s-<series>`)."""

from __future__ import annotations

from typing import Any, Dict, List, Sequence, Tuple

from team_console.markup import Html, join, render

# The stacked series of the day chart, bottom first: (key in by_day, legend label).
DAY_SERIES: Tuple[Tuple[str, str], ...] = (
    ("resolved", "Resolved"),
    ("escalated", "Escalated"),
    ("refused", "Out of scope"),
    ("abandoned", "Abandoned"),
    ("other", "Other (open, unconfirmed, no topic)"),
)
WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 40, 8, 12, 34  # room for the axis labels
MAX_X_LABELS = 10


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50 ... at least `value` (the y axis's top)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def day_stacks(day: Dict[str, Any]) -> List[Tuple[str, int]]:
    """(series, count) of one day, bottom first; "other" is what no outcome counted."""
    counted = [(key, int(day.get(key) or 0)) for key, _ in DAY_SERIES[:-1]]
    other = int(day.get("conversations") or 0) - sum(count for _, count in counted)
    return counted + [("other", max(other, 0))]


def legend() -> Html:
    items = (
        render('<li><span class="swatch s-{key}"></span>{label}</li>', key=key, label=label)
        for key, label in DAY_SERIES
    )
    return render('<ul class="legend">{items}</ul>', items=join(items))


def day_chart(by_day: Sequence[Dict[str, Any]], chart_id: str, title: str) -> Html:
    total = sum(int(day.get("conversations") or 0) for day in by_day)
    top = nice_ceiling(max([int(day.get("conversations") or 0) for day in by_day] + [1]))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(by_day), 1)
    parts = [_y_axis(top, plot_w, plot_h)]
    every = max(1, -(-len(by_day) // MAX_X_LABELS))  # label every n-th day
    for index, day in enumerate(by_day):
        x = LEFT + index * slot
        parts.append(_day_bar(day, x + slot * 0.15, slot * 0.7, top, plot_h))
        if index % every == 0:
            label = str(day.get("day", ""))[5:]  # MM-DD
            parts.append(_text(x + slot / 2, HEIGHT - BOTTOM + 16, label, "x-label"))
    if total == 0:
        parts.append(_text(LEFT + plot_w / 2, TOP + plot_h / 2, "No conversations", "empty"))
    description = f"{total} conversations over {len(by_day)} days; the table below has each day."
    return _svg(chart_id, title, description, HEIGHT, join(parts))


def _y_axis(top: int, plot_w: float, plot_h: float) -> Html:
    lines = []
    for value in (0, top // 2, top) if top % 2 == 0 else (0, top):  # whole numbers only
        y = TOP + plot_h - plot_h * value / top
        lines.append(
            render(
                '<line class="grid" x1="{x1}" y1="{y}" x2="{x2}" y2="{y}"/>',
                x1=LEFT,
                x2=LEFT + plot_w,
                y=_n(y),
            )
        )
        lines.append(_text(LEFT - 6, y + 4, str(value), "y-label"))
    return join(lines)


def _day_bar(day: Dict[str, Any], x: float, width: float, top: int, plot_h: float) -> Html:
    y = TOP + plot_h
    rects = []
    for key, count in day_stacks(day):
        if not count:
            continue
        height = plot_h * count / top
        y -= height
        label = f"{day.get('day')}: {count} {dict(DAY_SERIES)[key].lower()}"
        rects.append(
            render(
                '<rect class="s-{key}" x="{x}" y="{y}" width="{w}" height="{h}">'
                "<title>{label}</title></rect>",
                key=key,
                x=_n(x),
                y=_n(y),
                w=_n(width),
                h=_n(height),
                label=label,
            )
        )
    return join(rects)


def funnel_chart(steps: Sequence[int], chart_id: str, title: str) -> Html:
    """One bar per step, as long as the share of those who reached step 1, with the numbers."""
    first = steps[0] if steps else 0
    row, label_w, number_w = 30, 70, 130
    height = max(len(steps), 1) * row + 8
    bar_space = WIDTH - label_w - number_w
    parts = []
    for index, reached in enumerate(steps):
        y = 4 + index * row
        share = reached / first if first else 0.0
        width = max(bar_space * share, 1.0)
        parts.append(_text(label_w - 8, y + 19, f"Step {index + 1}", "y-label"))
        parts.append(
            render(
                '<rect class="s-funnel" x="{x}" y="{y}" width="{w}" height="{h}"/>',
                x=label_w,
                y=_n(y + 4),
                w=_n(width),
                h=row - 8,
            )
        )
        number = f"{reached} ({round(share * 100)}%)" if first else str(reached)
        parts.append(_text(label_w + width + 6, y + 19, number, "number"))
    reached_text = ", ".join(f"step {i + 1}: {n}" for i, n in enumerate(steps))
    return _svg(chart_id, title, f"Conversations reaching {reached_text}.", height, join(parts))


def _svg(chart_id: str, title: str, description: str, height: int, body: Html) -> Html:
    return render(
        '<svg class="chart" viewBox="0 0 {w} {h}" role="img" '
        'aria-labelledby="{id}-title {id}-desc" preserveAspectRatio="xMinYMin meet">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{description}</desc>'
        "{body}</svg>",
        w=WIDTH,
        h=height,
        id=chart_id,
        title=title,
        description=description,
        body=body,
    )


def _text(x: float, y: float, text: str, css_class: str) -> Html:
    return render(
        '<text class="{css_class}" x="{x}" y="{y}">{text}</text>',
        css_class=css_class,
        x=_n(x),
        y=_n(y),
        text=text,
    )


def _n(value: float) -> str:
    """A coordinate with at most one decimal."""
    return f"{value:.1f}".rstrip("0").rstrip(".")
