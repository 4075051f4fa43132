"""Plots as SVG text: one user's daily risk and their activity pattern, for the report and the dashboard.

Drawn with matplotlib's object API (a Figure and the SVG backend, never pyplot), so the web server can render
from worker threads. rcParams are process-wide, so rendering holds a lock for the few milliseconds of a plot.
Text stays text (svg.fonttype none), figures carry no date or URL, and the same data gives the same bytes.
"""

from __future__ import annotations

import base64
import io
import re
import threading
from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import Normalize, TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from molehunt.detect.scoring import ScoreWeights
from molehunt.report.data import WEEKDAYS, RiskDay, RiskHistory, WeekActivity, risk_history, week_activity
from molehunt.store import Store

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

ANOMALY = "#4c6a92"
RULES = "#b23a3a"
VOLUME = "#7a4f9a"
BOOST = "#e3a857"
INK = "#1f2933"
MUTED = "#616e7c"
GRID = "#d9dee4"

_STYLE: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "molehunt",  # stable element ids: same data, same bytes
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Helvetica", "Arial"],
    "font.size": 9,
    "axes.edgecolor": MUTED,
    "axes.labelcolor": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "text.color": INK,
    "legend.frameon": False,
    "legend.fontsize": 8,
}
_LOCK = threading.Lock()
_DOCTYPE = re.compile(r"<!DOCTYPE[^>]*>\s*")
_METADATA = {"Creator": None, "Date": None, "Format": None, "Type": None}  # nothing that names a URL or a time


def _render(size: tuple[float, float], draw: Callable[[Figure], None]) -> str:
    # Fixed positions rather than a layout engine, which measures every text twice: a third of the time.
    with _LOCK, mpl.rc_context(_STYLE):
        figure = Figure(figsize=size)
        draw(figure)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata=_METADATA)
    return _DOCTYPE.sub("", buffer.getvalue())


def svg_data_uri(svg: str) -> str:
    """The SVG as a data: URI for <img src>, which a strict Content-Security-Policy allows with img-src data:."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def risk_timeline_svg(store: Store, user_id: str, *, label: str) -> str:
    """The user's daily risk as stacked anomaly, rule, volume and context points, rule days marked, the last day shown.

    `label` (a pseudonym, usually) is the only name the plot shows. MolehuntError when the user has no scores.
    """
    history = risk_history(store, user_id, label=label)
    return _render(_TIMELINE_SIZE, lambda figure: _draw_timeline(figure, history, label))


_TIMELINE_SIZE = (10.0, 3.3)  # inches
_TIMELINE_AXES = (0.065, 0.12, 0.92, 0.7)  # figure fractions
_AXES_PT = _TIMELINE_AXES[2] * _TIMELINE_SIZE[0] * 72  # the axes' width in points
_LEVELS = 6  # rows of rule names above the bars, at most
_LEVEL_HEIGHT = 0.075  # of the axes height


def _date_ticks(first: date, days: int) -> tuple[list[int], list[str]]:
    """Tick positions (days since `first`) and labels: month starts, or Mondays over short spans; at most 8."""
    every = [first + timedelta(days=n) for n in range(days)]
    months = [d for d in every if d.day == 1]
    if len(months) >= 3:
        step = -(-len(months) // 8)
        chosen = months[::step]
        labels = [f"{d:%b %Y}" if i == 0 or d.month <= step else f"{d:%b}" for i, d in enumerate(chosen)]
    else:
        chosen = [d for d in every if d.weekday() == 0][:: max(1, -(-days // 7 // 8))]
        labels = [f"{d:%d %b}" for d in chosen]
    return [(d - first).days for d in chosen], labels


def _draw_timeline(figure: Figure, history: RiskHistory, label: str) -> None:
    ax = figure.add_axes(_TIMELINE_AXES)
    first = history.days[0].day
    end = max(history.days[-1].day, history.last_day or first)
    span = (end - first).days + 1
    x = np.arange(span)  # days since the first scored day; inactive days stay at zero
    parts = np.zeros((4, span))
    for day in history.days:
        parts[:, (day.day - first).days] = day.anomaly_points, day.rule_points, day.volume_points, day.boost_points
    window = ScoreWeights().departure_window_days
    leaves = None if history.last_day is None else (history.last_day - first).days
    if leaves is not None:
        ax.axvspan(leaves - window, leaves, color="#eef1f5", lw=0, label=f"{window} days before leaving")
    bottom = np.zeros(span)
    colors, names = (ANOMALY, RULES, VOLUME, BOOST), ("anomaly", "rules", "data volume", "context boost")
    for values, color, name in zip(parts, colors, names, strict=True):
        ax.fill_between(x, bottom, bottom + values, step="mid", color=color, lw=0, label=name)
        bottom = bottom + values
    top = max(d.score for d in history.days)
    rows = _mark_rules(ax, history, first, span)
    if leaves is not None:
        ax.axvline(leaves, color=INK, lw=1, ls="--")
        ax.text(leaves, 1.01, "last day", transform=ax.get_xaxis_transform(), ha="center", va="bottom", fontsize=8)
    ticks, labels = _date_ticks(first, span)
    ax.set_xticks(ticks, labels)
    ax.set_xlim(-1, span)
    ax.set_ylim(0, max(top, 1) / (1 - 0.05 - _LEVEL_HEIGHT * rows))  # headroom for the rule names
    ax.yaxis.set_major_locator(MaxNLocator(4))
    ax.set_ylabel("risk score")
    ax.grid(axis="y", color=GRID, lw=0.6)
    ax.set_axisbelow(True)
    figure.text(0.01, 0.965, f"{label}: daily risk and what made it", va="top", fontsize=10, fontweight="bold")
    figure.legend(loc="upper right", bbox_to_anchor=(0.99, 0.99), ncols=5, handlelength=1.2, columnspacing=1.2)


def _nearest_free(day: float, half: float, taken: list[tuple[float, float]], low: float, high: float) -> float | None:
    """The centre nearest `day`, within [low, high], of an interval of half-width `half` clear of every `taken`."""
    candidates = [day] + [edge for a, b in taken for edge in (a - half - 0.01, b + half + 0.01)]
    clear = [
        c for c in (min(max(c, low), high) for c in candidates) if all(c + half <= a or c - half >= b for a, b in taken)
    ]
    return min(clear, key=lambda c: (abs(c - day), c)) if clear else None


def _place_labels(labels: list[tuple[list[str], int]], span: int) -> list[tuple[float, int]]:
    """Where to put each label (names, day): its centre in days and its top row, so that labels do not overlap.

    Each label goes where it moves least from its day, in the highest rows that leave room, inside the axes; a
    label of k names takes k rows. With no room anywhere it goes to the top row, overlapping rather than vanishing.
    """
    per_day = _AXES_PT / span
    taken: list[list[tuple[float, float]]] = [[] for _ in range(_LEVELS)]
    placed: list[tuple[float, int]] = []
    for names, day in labels:
        half = (max(map(len, names)) * 4.4 + 10) / 2 / per_day  # in days: about 4.4 pt per character at 7.5 pt
        low, high = -1 + half, max(span - half, -1 + half)  # centres that keep the label inside the axes
        rows = min(len(names), _LEVELS)
        options = []
        for top in range(_LEVELS - rows + 1):
            block = [interval for row in taken[top : top + rows] for interval in row]
            centre = _nearest_free(day, half, block, low, high)
            if centre is not None:
                options.append((round(abs(centre - day)), top, centre))
        _, top, centre = min(options) if options else (0, 0, min(max(day, low), high))
        for row in range(top, top + rows):
            taken[row].append((centre - half, centre + half))
        placed.append((centre, top))
    return placed


def _mark_rules(ax: Axes, history: RiskHistory, first: date, span: int) -> int:
    """A marker on every day a rule fired; each rule's name once, above its highest day and linked to it.

    Returns the number of rows of names, which the bars must stay below.
    """
    fired = [d for d in history.days if d.rules]
    if not fired:
        return 0
    ax.scatter(
        [(d.day - first).days for d in fired], [d.score for d in fired], marker="v", s=18, color=INK, zorder=3,
        label="rule fired", linewidths=0,
    )  # fmt: skip
    peaks: dict[str, RiskDay] = {}
    for d in fired:
        for rule in d.rules:
            if rule not in peaks or d.score > peaks[rule].score:
                peaks[rule] = d
    by_day: dict[RiskDay, list[str]] = {}
    for rule in sorted(peaks, key=lambda rule: (peaks[rule].day, rule)):
        by_day.setdefault(peaks[rule], []).append(rule)  # rules peaking on the same day share one label
    labels = [(names, (day.day - first).days) for day, names in by_day.items()]
    placed = _place_labels(labels, span)
    for (names, x), (centre, level), day in zip(labels, placed, by_day, strict=True):
        ax.annotate(
            "\n".join(names), (x, day.score), xytext=(centre, 0.98 - _LEVEL_HEIGHT * level),
            textcoords=ax.get_xaxis_transform(), ha="center", va="top", fontsize=7.5, linespacing=1.3,
            color=RULES, annotation_clip=False,
            arrowprops={"arrowstyle": "-", "color": RULES, "lw": 0.5, "alpha": 0.5, "shrinkA": 1, "shrinkB": 4},
        )  # fmt: skip
    return max(level + min(len(names), _LEVELS) for (names, _), (_, level) in zip(labels, placed, strict=True))


def activity_heatmap_svg(store: Store, user_id: str, *, label: str, recent_days: int = 30) -> str:
    """Events per hour and weekday in an average week: before, in the last `recent_days` days, and the change.

    `label` is the only name the plot shows. MolehuntError when the user has no scores.
    """
    activity = week_activity(store, user_id, label=label, recent_days=recent_days)
    return _render((10.0, 2.5), lambda figure: _draw_heatmap(figure, activity, label, recent_days))


# The three panels share one Axes, side by side in data units (24 hour columns each, _STRIDE apart), and every
# label is a plain text: each extra Axes or tick costs more to draw than all the cells together.
_STRIDE = 30


def _span(span: tuple[date, date]) -> str:
    return f"{span[0]:%d %b} \N{EN DASH} {span[1]:%d %b %Y}"


def _panel(ax: Axes, index: int, values: np.ndarray | None, title: str, empty: str = "", **style: Any) -> None:
    left = index * _STRIDE
    ax.text(left + 11.5, -0.85, title, ha="center", va="bottom", fontsize=8.5)
    ax.text(left + 11.5, 7.75, "hour of day", ha="center", va="top", fontsize=8)
    for hour in range(0, 24, 3):
        ax.text(left + hour, 6.75, str(hour), ha="center", va="top", fontsize=7.5, color=MUTED)
    ax.add_patch(Rectangle((left - 0.5, -0.5), 24, 7, fill=False, edgecolor=GRID, lw=0.8, zorder=2))
    if values is None:
        ax.text(left + 11.5, 3, empty, ha="center", va="center", color=MUTED, fontsize=8)
    else:
        extent = (left - 0.5, left + 23.5, 6.5, -0.5)
        ax.imshow(values, aspect="auto", interpolation="nearest", extent=extent, **style)


def _scale(ax: Axes, x: float, norm: Normalize, cmap: str, high: str, low: str) -> None:
    """A colour scale as a thin image to the right of a panel, its two ends labelled."""
    ramp = np.linspace(float(norm.vmax or 0), float(norm.vmin or 0), 64)[:, None]
    ax.imshow(ramp, aspect="auto", interpolation="nearest", extent=(x, x + 0.7, 6.5, -0.5), norm=norm, cmap=cmap)
    ax.text(x + 1.1, -0.5, high, va="top", fontsize=7, color=MUTED)
    ax.text(x + 1.1, 6.5, low, va="bottom", fontsize=7, color=MUTED)


def _draw_heatmap(figure: Figure, activity: WeekActivity, label: str, recent_days: int) -> None:
    figure.suptitle(
        f"{label}: activity by weekday and hour (events in an average week)", x=0.01, y=0.97, ha="left",
        va="top", fontsize=10, fontweight="bold",
    )  # fmt: skip
    ax = figure.add_axes((0.045, 0.2, 0.93, 0.58))
    ax.set_axis_off()
    for row, name in enumerate(WEEKDAYS):
        ax.text(-0.9, row, name, ha="right", va="center", fontsize=7.5, color=MUTED)
    earlier = activity.earlier
    empty = (
        "no activity before" if not activity.earlier_days
        else f"only {activity.earlier_days} day{'s' if activity.earlier_days > 1 else ''} before:\ntoo few to compare"
    )  # fmt: skip
    peak = max(float(activity.recent.max()), float(earlier.max()) if earlier is not None else 0.0, 1e-9)
    counts = Normalize(0, peak)
    before = f"before ({_span(activity.earlier_span)})" if activity.earlier_span else "before"
    _panel(ax, 0, earlier, before, empty, cmap="Blues", norm=counts)
    recent = f"last {recent_days} days ({_span(activity.recent_span)})"
    _panel(ax, 1, activity.recent, recent, cmap="Blues", norm=counts)
    _scale(ax, _STRIDE + 24, counts, "Blues", f"{peak:,.1f}", "0")
    if earlier is None:
        _panel(ax, 2, None, "change", empty)
    else:
        delta = activity.recent - earlier
        limit = max(float(np.abs(delta).max()), 1e-9)
        change = TwoSlopeNorm(0, -limit, limit)
        _panel(ax, 2, delta, "change: more (red) or less (blue) than before", cmap="RdBu_r", norm=change)
        _scale(ax, 2 * _STRIDE + 24, change, "RdBu_r", f"+{limit:,.1f}", f"\N{MINUS SIGN}{limit:,.1f}")
    ax.set(xlim=(-0.5, 2 * _STRIDE + 27), ylim=(6.5, -0.5))
