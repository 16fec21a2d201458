"""The look every matplotlib figure of the package shares: style, log-axis labels, lines with
an ensemble's band, milestone markers and share levels, the source note under the axes, the
saved PNG. Figure modules (:mod:`sim.figures.run`, :mod:`sim.figures.labour`,
:mod:`sim.figures.economy`, the sweep analysis) import it; it imports none of them.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from sim.outputs.run_data import SHARE_LEVELS  # noqa: E402

STYLE = {
    "figure.dpi": 110, "savefig.dpi": 130, "font.size": 10, "axes.titlesize": 11,
    "axes.labelsize": 10, "legend.fontsize": 8.5, "axes.grid": True, "grid.alpha": 0.3,
    "axes.spines.top": False, "axes.spines.right": False,
}
#: The style figures are written in: laid out at the resolution they are saved at, so the
#: text measured for the layout is measured once (~20% faster than laying out at 110 dpi).
RENDER_STYLE = {**STYLE, "figure.dpi": STYLE["savefig.dpi"]}
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def _decade_label(v: float, _pos=None) -> str:
    """A log axis's tick label: 10 with a superscript exponent, as plain text (the default
    labels are typeset as maths, which takes a quarter of a log figure's drawing time).
    """
    if not (v > 0 and np.isfinite(v)):
        return ""
    e = int(round(np.log10(v)))
    if abs(v / 10.0 ** e - 1) > 1e-9:
        return f"{v:g}"
    return "10" + str(e).translate(_SUPERSCRIPT)


def plain_log_labels(fig) -> None:
    """Label the decades of every log axis of ``fig`` that uses the default (maths)
    labels with :func:`_decade_label`.
    """
    from matplotlib.ticker import FuncFormatter, LogFormatterSciNotation

    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if axis.get_scale() == "log" and isinstance(axis.get_major_formatter(),
                                                        LogFormatterSciNotation):
                axis.set_major_formatter(FuncFormatter(_decade_label))


#: Opacity of the 10-90% band of an ensemble drawn under its median line.
BAND_ALPHA = 0.2


def draw_series(ax, t, y, log: bool = False, band: bool = True, **kw) -> list:
    """Draw ``y`` against ``t``: a line for one run's (T,) series; for an ensemble's (T, N)
    series (one column per member), the median across members at each date as the line over
    a shaded band from the 10th to the 90th percentile, in the line's colour (``band``
    False: the median alone). ``log``: log y axis (values <= 0 are left out). Returns the
    line(s) drawn.
    """
    y = np.asarray(y, float)
    plot = ax.semilogy if log else ax.plot
    if y.ndim == 1:
        return plot(t, y, **kw)
    from sim.ensemble import bands

    lo, mid, hi = bands(y)
    if log:
        lo, mid, hi = (np.where(v > 0, v, np.nan) for v in (lo, mid, hi))
    lines = plot(t, mid, **kw)
    if band:
        ax.fill_between(t, lo, hi, color=lines[0].get_color(), alpha=BAND_ALPHA, lw=0)
    return lines


def band_handle(n: int | None, which: str = ""):
    """A legend entry for the shaded band of an ensemble of ``n`` members (None: several
    ensembles) (``which``: of which lines, when not all have one).
    """
    from matplotlib.patches import Patch

    return Patch(facecolor="0.5", alpha=BAND_ALPHA + 0.1, lw=0,
                 label=f"shaded: 10-90% of {n or 'the'} members" + (f" ({which})" if which
                                                                     else ""))


def write_note(fig, note: str, color: str) -> list[str]:
    """Write ``note`` under the axes, wrapped to the figure's width, in small ``color`` text;
    returns its lines (to leave room for them).
    """
    lines = textwrap.wrap(note, width=int(fig.get_size_inches()[0] * 17))
    fig.text(0.01, 0.005, "\n".join(lines), fontsize=7.5, color=color, ha="left",
             va="bottom")
    return lines


def save_figure(fig, path, note: str) -> Path:
    """Write ``note`` (wrapped) under the axes, lay the figure out around it, save it to
    ``path`` (a file name or a binary stream) and close it.
    """
    n = len(write_note(fig, note, "0.4"))
    bottom = 0.03 if n <= 1 else (0.1 + 0.14 * n) / fig.get_size_inches()[1]
    fig.tight_layout(rect=(0, bottom, 1, 1))
    fig.savefig(path)
    plt.close(fig)
    return path


def finish(fig, note: str, right: float = 1.0, legend: list | None = None):
    """Add the wrapped source note under the axes and lay the figure out around it;
    ``legend`` (handles) goes in one row between the axes and the note.
    """
    height_in = fig.get_size_inches()[1]
    bottom = (0.16 + 0.14 * len(write_note(fig, note, "0.35"))) / height_in
    if legend:
        fig.legend(handles=legend, loc="lower center", bbox_to_anchor=(0.5, bottom),
                   ncol=len(legend), fontsize=8, frameon=False)
        bottom += 0.3 / height_in
    plain_log_labels(fig)
    fig.tight_layout(rect=(0, bottom, right, 1))
    return fig


def png_bytes(fig, dpi: int = 130) -> bytes:
    """The figure as PNG bytes (and closed)."""
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    return buf.getvalue()


def run_colors(n: int) -> list:
    """Distinct colours for runs in a compare (tab10 order)."""
    return [plt.cm.tab10(i % 10) for i in range(n)]


def mark_year(ax, year: float, label: str | None = None, ls: str = "--", at: float = 0.42,
              ha: str = "left", va: str = "bottom") -> None:
    """A milestone's year as a thin vertical line with its ``label`` (None: none) written
    along it, from ``at`` (fraction of the axes' height); nothing when ``year`` is NaN.
    """
    if not np.isfinite(year):
        return
    ax.axvline(year, color="0.35", ls=ls, lw=1)
    if label:
        ax.annotate(label, (year, at), xycoords=("data", "axes fraction"), rotation=90,
                    fontsize=7.5, color="0.3", ha=ha, va=va)


def share_levels(ax, color: str, labelled: bool = False) -> None:
    """The :data:`SHARE_LEVELS` of a share-of-work chart (% axis) as grey lines behind the
    others; ``labelled``: their values written right of the axes.
    """
    for level in SHARE_LEVELS:
        ax.axhline(level, color=color, lw=0.8, zorder=0)
        if labelled:
            ax.annotate(f"{level}%", (1.0, level), xycoords=("axes fraction", "data"),
                        fontsize=8, color="0.4", ha="left", va="center")


def year_axis(ax, label: str = "year"):
    """Whole calendar years on the x axis (no 2022.5 ticks)."""
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(label)


def short_title(title: str, width: int = 38) -> str:
    """A title short enough for an axis label."""
    t = title.replace(" Occupations", "").replace(" and ", " & ").replace(", All Other", "")
    return t if len(t) <= width else t[: width - 1].rstrip(" ,&") + "…"
