"""Path diagrams and forest plots (matplotlib, no pyplot: figures never depend on the backend).

:func:`path_diagram` draws the study's structural model: the five mechanisms (left) ->
collaborative innovation COL (centre) -> deep integration INT (right), with the direct paths
mechanism -> INT as dashed arcs.  Without estimates it is the conceptual diagram with the
hypothesis labels (H1-H6); with a parameter table it shows the standardized coefficients
(``std.all``, APA style without the leading zero) with significance stars and the R-squared of
COL and INT.

>>> fig = path_diagram()
>>> len(fig.axes), fig.get_size_inches().tolist()
(1, [8.2, 5.2])
>>> labels = path_labels(None)
>>> labels[("GOV", "COL")], labels[("COL", "INT")], labels[("GOV", "INT")]
('H1', 'H6', '')
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Ellipse, FancyArrowPatch, FancyBboxPatch

from .format import integer, merged_caption, num, stars

MECHANISMS = ("GOV", "MKT", "BEN", "VAL", "TAL")
MEDIATOR, OUTCOME = "COL", "INT"

#: short labels under the node codes (the instrument's labels are long)
SHORT_LABELS = {
    "GOV": "government guidance", "MKT": "market allocation", "BEN": "benefit & risk sharing",
    "VAL": "shared value", "TAL": "joint talent training", "COL": "collaborative\ninnovation",
    "INT": "deep\nintegration",
}

_W, _H = 0.13, 0.13


def _layout(mechanisms) -> tuple[dict[str, tuple[float, float]], dict[str, float]]:
    """Node positions (mechanisms evenly down the left) and the curvature of each direct arc
    (upper half bends up, lower half down, the middle one furthest)."""
    k = len(mechanisms)
    ys = np.linspace(0.90, 0.10, k) if k > 1 else np.array([0.5])
    pos = {m: (0.10, float(y)) for m, y in zip(mechanisms, ys)}
    pos[MEDIATOR], pos[OUTCOME] = (0.52, 0.50), (0.90, 0.50)
    rad = {}
    for m, y in zip(mechanisms, ys):
        d = y - 0.5
        rad[m] = (-0.25 - 0.13 * (1 - abs(d) / 0.4)) if d > 1e-9 else (0.22 + 0.23 * (1 - abs(d) / 0.4))
    return pos, rad


def path_labels(estimates: pd.DataFrame | None,
                mechanisms: Sequence[str] = MECHANISMS) -> dict[tuple[str, str], str]:
    """The text on each structural arrow: hypothesis tags (H1..Hk of ``mechanisms``, H(k+1) for the mediator's
    path, as :func:`iur_survey.report.sem_tables.hypothesis_map`), or ``β`` with stars from ``estimates``.

    ``estimates`` is a parameter table (lavaan's columns: lhs, op, rhs, std.all, pvalue).

    >>> est = pd.DataFrame({"lhs": ["COL"], "op": ["~"], "rhs": ["GOV"], "std.all": [0.31], "pvalue": [0.0001]})
    >>> path_labels(est)[("GOV", "COL")]
    '.31***'
    """
    out: dict[tuple[str, str], str] = {}
    if estimates is None:
        for k, m in enumerate(mechanisms, 1):
            out[(m, MEDIATOR)] = f"H{k}"
            out[(m, OUTCOME)] = ""
        out[(MEDIATOR, OUTCOME)] = f"H{len(mechanisms) + 1}"
        return out
    reg = estimates[estimates["op"] == "~"]
    for _, row in reg.iterrows():
        out[(str(row["rhs"]), str(row["lhs"]))] = num(row["std.all"], 2, leading_zero=False) + stars(row["pvalue"])
    return out


def path_diagram(estimates: pd.DataFrame | None = None, r2: Mapping[str, float] | None = None,
                 labels: Mapping[str, str] | None = None, title: str | None = None,
                 mechanisms: Sequence[str] | None = None) -> Figure:
    """The structural model as a figure: conceptual (no ``estimates``) or estimated.

    Non-significant paths (p >= .05) are drawn lighter when estimates are given.  The conceptual figure draws
    ``mechanisms`` (default: the study's five) with their hypotheses H1..Hk and H(k+1) for the mediator's path.

    >>> fig = path_diagram(mechanisms=("TRU", "COM", "RES"))
    >>> sorted(t.get_text() for t in fig.axes[0].texts if t.get_text().startswith("H"))
    ['H1', 'H2', 'H3', 'H4']
    """
    names = dict(SHORT_LABELS)
    names.update(labels or {})
    mechs = tuple(mechanisms) if mechanisms else MECHANISMS
    text = path_labels(estimates, mechs)
    if estimates is not None:
        found = tuple(estimates[(estimates["op"] == "~") & (estimates["lhs"] == MEDIATOR)]["rhs"])
        mechs = found or MECHANISMS
    _POS, _RAD = _layout(mechs)
    pvals: dict[tuple[str, str], float] = {}
    if estimates is not None:
        for _, row in estimates[estimates["op"] == "~"].iterrows():
            pvals[(str(row["rhs"]), str(row["lhs"]))] = float(row["pvalue"])
    fig = Figure(figsize=(8.2, 5.2), dpi=100)
    ax = fig.add_axes((0.0, 0.0, 1.0, 0.94 if title else 1.0))   # fixed: paths are measured before drawing
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.04, 1.04)
    ax.set_axis_off()
    ax.set_aspect("auto")

    # the nodes' ellipses first: each arrow is clipped to the edges of its two (patchA/patchB), so its head sits on
    # the target's edge; a fixed shrink left the heads of the level arrows (BEN -> COL, COL -> INT) under the node
    shape = {code: ax.add_patch(Ellipse(_POS[code], _W * 1.45, _H, facecolor="#fdf3e1" if code in (MEDIATOR, OUTCOME)
                                        else "#eef3f8", edgecolor="#1f2d3d", lw=1.4, zorder=3)) for code in _POS}

    def node(code: str) -> None:
        x, y = _POS[code]
        ax.text(x, y + 0.018, code, ha="center", va="center", fontsize=13, fontweight="bold", zorder=4)
        ax.text(x, y - 0.028, names.get(code, ""), ha="center", va="center", fontsize=7.0, zorder=4,
                linespacing=0.95)
        if r2 and code in r2 and r2[code] is not None and not pd.isna(r2[code]):
            ax.text(x, y - _H / 2 - 0.035, f"R² = {num(r2[code], 2, leading_zero=False)}", ha="center",
                    va="center", fontsize=10, style="italic", zorder=4)

    def arrow(a: str, b: str, rad: float = 0.0, dashed: bool = False, label_at: float = 0.5) -> None:
        (x0, y0), (x1, y1) = _POS[a], _POS[b]
        p = pvals.get((a, b))
        weak = p is not None and not p < 0.05
        color = "#9aa5b1" if (dashed or weak) else "#1f2d3d"
        lw = 1.0 if dashed else 1.7
        patch = FancyArrowPatch((x0, y0), (x1, y1), connectionstyle=f"arc3,rad={rad}", arrowstyle="-|>",
                                mutation_scale=14, lw=lw, color=color, linestyle="--" if dashed else "-",
                                patchA=shape[a], patchB=shape[b], shrinkA=1, shrinkB=2, zorder=2)
        ax.add_patch(patch)
        lab = text.get((a, b), "")
        if lab:
            # the label sits on the curve matplotlib draws: arc3 is a quadratic Bezier whose
            # control point is set in display space (so the figure's aspect is respected)
            to_px, to_data = ax.transData, ax.transData.inverted()
            (px0, py0), (px1, py1) = to_px.transform([(x0, y0), (x1, y1)])
            cx = (px0 + px1) / 2 + rad * (py1 - py0)
            cy = (py0 + py1) / 2 - rad * (px1 - px0)
            t = label_at
            bx = (1 - t) ** 2 * px0 + 2 * (1 - t) * t * cx + t ** 2 * px1
            by = (1 - t) ** 2 * py0 + 2 * (1 - t) * t * cy + t ** 2 * py1
            lx, ly = to_data.transform((bx, by))
            ax.text(lx, ly, lab, ha="center", va="center", fontsize=9.5 if dashed else 10.5,
                    color="#52606d" if dashed or weak else "#102a43", zorder=5,
                    bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.95))

    for m in mechs:
        arrow(m, OUTCOME, rad=_RAD[m], dashed=True, label_at=0.22)
    for m in mechs:
        arrow(m, MEDIATOR, label_at=0.55)
    arrow(MEDIATOR, OUTCOME, label_at=0.5)
    for code in _POS:
        node(code)
    if title:
        ax.set_title(title, fontsize=11)
    return fig


def forest_plot(frame: pd.DataFrame, estimate: str = "est", lower: str = "ci.lower", upper: str = "ci.upper",
                label: str = "label", group: str | None = None, xlabel: str = "estimate (95% CI)",
                title: str | None = None) -> Figure:
    """A forest plot: one row per effect, point estimate and confidence interval, zero line.

    ``group`` (optional) names a column whose values become separately coloured series
    (e.g. the estimator: FIML vs MLR vs listwise), dodged vertically.

    >>> df = pd.DataFrame({"label": ["a", "b"], "est": [0.2, -0.1], "ci.lower": [0.1, -0.3],
    ...                    "ci.upper": [0.3, 0.1]})
    >>> len(forest_plot(df).axes[0].lines) >= 1
    True
    """
    rows = list(dict.fromkeys(frame[label]))
    groups: Sequence = list(dict.fromkeys(frame[group])) if group else [None]
    colors = ["#1f4e79", "#c05621", "#2f855a", "#6b46c1"]
    fig = Figure(figsize=(7.5, 0.42 * len(rows) + 1.2), dpi=100, layout="constrained")
    ax = fig.subplots()
    step = 0.22 if len(groups) > 1 else 0.0
    for gi, g in enumerate(groups):
        sub = frame if g is None else frame[frame[group] == g]
        ys = np.array([len(rows) - 1 - rows.index(v) for v in sub[label]], dtype=float)
        ys += (gi - (len(groups) - 1) / 2) * step * -1
        est = sub[estimate].to_numpy(dtype=float)
        lo = sub[lower].to_numpy(dtype=float)
        hi = sub[upper].to_numpy(dtype=float)
        ax.errorbar(est, ys, xerr=[est - lo, hi - est], fmt="o", color=colors[gi % len(colors)], ms=5,
                    capsize=3, lw=1.3, label=None if g is None else str(g))
    ax.axvline(0.0, color="#7b8794", lw=0.9, ls="--")
    ax.set_yticks(range(len(rows)), labels=list(reversed(rows)))
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_xlabel(xlabel)
    ax.spines[["top", "right"]].set_visible(False)
    if len(groups) > 1:
        fig.legend(frameon=False, fontsize=9, loc="outside upper center", ncols=len(groups))
    if title:
        ax.set_title(title, fontsize=11)
    return fig


#: plain-language names of the cleaning rules (iur_survey.clean.rules) for figures and tables
RULE_LABELS = {
    "status": "preview, test or spam record",
    "unfinished": "unfinished response",
    "duplicate_id": "duplicate response id",
    "duplicate_answers_ip": "duplicate answers, same IP address",
    "out_of_range": "code outside the scale",
    "attention": "failed attention check",
    "speeder": "speeder (too fast)",
    "longstring": "long string of identical answers",
    "irv": "low intra-individual variability",
    "mahalanobis": "multivariate outlier (Mahalanobis D²)",
    "even_odd": "inconsistent even-odd halves",
    "longpattern": "repeating answer pattern (zig-zag, diagonal)",
    "mahalanobis_direction": "outlier in agree/disagree pattern (D²)",
    "mahalanobis_ipsatized": "outlier in answer profile (ipsatized D²)",
    "mahalanobis_quotient": "answers off the item correlations (D² per unit deviation)",
    "random_likelihood": "answers likelier random than honest, throughout or from some item on (likelihood ratio)",
    "correlation_likelihood": "answers without the item correlations (likelihood ratio)",
    "mixture_likelihood": "some answers random (mixture likelihood ratio)",
    "invariant_tail": "careful start, then one answer or a zig-zag to the end (likelihood ratio)",
    "page_line": "one answer throughout each page (grid), another on other pages",
    "near_duplicate": "near copy of an earlier response (beyond chance)",
    "psychsyn": "psychometric synonyms answered unalike",
    "psychant": "psychometric antonyms answered alike",
    "person_total": "answers against the item means (person-total r)",
    "person_fit": "poor person fit (Guttman errors)",
    "tool_bot": "survey tool's bot or fraud score",
    "tool_speed": "survey tool's speed index (too fast)",
    "tool_duplicate": "survey tool's repeat-device mark",
}


def consort_flow(n_raw: int, screening: Mapping[str, int], n_screened: int, indices: Mapping[str, int],
                 n_kept: int) -> Figure:
    """A CONSORT-style flow chart: raw records -> screening exclusions -> careless-responding
    exclusions -> analysed sample.  ``screening``/``indices`` map rule -> responses excluded
    (by primary rule), in the order the rules ran.

    >>> fig = consort_flow(100, {"status": 3, "attention": 5}, 92, {"speeder": 2}, 90)
    >>> [t.get_text() for t in fig.axes[0].texts][:1]
    ['Records in the export\\nn = 100']
    """
    from .format import integer

    fig = Figure(figsize=(7.6, 5.6), dpi=100)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_axis_off()

    def box(x, y, w, h, text, face="#f4f6f8", size=13, align="center"):
        ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.008,rounding_size=0.01",
                                    fc=face, ec="#1f2d3d", lw=1.1))
        tx = x if align == "center" else x - w / 2 + 0.015
        ax.text(tx, y, text, ha=align, va="center", fontsize=size, linespacing=1.35)

    def down(y0, y1, x=0.225):
        ax.add_patch(FancyArrowPatch((x, y0), (x, y1), arrowstyle="-|>", mutation_scale=13, lw=1.2,
                                     color="#1f2d3d"))

    def side(y, x0=0.225, x1=0.45):
        ax.add_patch(FancyArrowPatch((x0, y), (x1, y), arrowstyle="-|>", mutation_scale=13, lw=1.2,
                                     color="#1f2d3d"))

    def listing(title, counts):
        total = sum(counts.values())
        lines = [f"{title} (n = {integer(total)})"]
        lines += [f"  {RULE_LABELS.get(r, r)}: {integer(k)}" for r, k in counts.items() if k]
        if len(lines) == 1:
            lines.append("   none")
        return "\n".join(lines)

    box(0.225, 0.90, 0.40, 0.12, f"Records in the export\nn = {integer(n_raw)}")
    box(0.225, 0.53, 0.40, 0.12, f"Records passing screening\nn = {integer(n_screened)}")
    box(0.225, 0.12, 0.40, 0.12, f"Analysed sample\nn = {integer(n_kept)}", face="#fdf3e1")
    n1 = sum(1 for k in screening.values() if k) or 1
    n2 = sum(1 for k in indices.values() if k) or 1
    box(0.72, 0.715, 0.54, min(0.075 + 0.046 * n1, 0.34), listing("Excluded at screening", screening),
        size=11.5, align="left")
    box(0.72, 0.325, 0.54, min(0.075 + 0.046 * n2, 0.34), listing("Excluded as careless responding", indices),
        size=11.5, align="left")
    down(0.84, 0.59)
    down(0.47, 0.18)
    side(0.715)
    side(0.325)
    return fig


def bar_chart(labels: Sequence[str], values: Sequence[float], xlabel: str, title: str | None = None,
              fmt: str = "{:.1f}") -> Figure:
    """A horizontal bar chart with the value printed at each bar (e.g. item nonresponse, sample by role).

    >>> len(bar_chart(["a", "b"], [1.0, 2.0], "percent").axes)
    1
    """
    labels = list(labels)
    values = [float(v) for v in values]
    fig = Figure(figsize=(7.0, 0.28 * len(labels) + 1.1), dpi=100, layout="constrained")
    ax = fig.subplots()
    ys = np.arange(len(labels))[::-1]
    ax.barh(ys, values, color="#4a6fa5", height=0.7)
    top = max(values + [0.0]) or 1.0
    for y, v in zip(ys, values):
        ax.text(v + top * 0.01, y, fmt.format(v), va="center", fontsize=8)
    ax.set_yticks(ys, labels=labels, fontsize=8)
    ax.set_xlim(0, top * 1.15)
    ax.set_xlabel(xlabel)
    ax.spines[["top", "right"]].set_visible(False)
    if title:
        ax.set_title(title, fontsize=11)
    return fig


def placeholder_figure(text: str) -> Figure:
    """A small figure that says plainly why the real one is not there (never a fake chart).

    >>> placeholder_figure("Not computed yet.").axes[0].texts[0].get_text()
    'Not computed yet.'
    """
    fig = Figure(figsize=(7.0, 1.2), dpi=100)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_axis_off()
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=11, color="#52606d", wrap=True)
    return fig


#: fonts with Chinese (and Japanese, Korean) glyphs that matplotlib falls back to, in this order, for a character
#: its own font (DejaVu Sans) lacks: group names such as 企业 were drawn as empty boxes
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans CJK TC", "Source Han Sans SC",
                "Source Han Sans CN", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei",
                "PingFang SC", "Heiti SC")


def cjk_fallback(fig: Figure) -> list[str]:
    """Give every text of ``fig`` the installed CJK fonts (:data:`CJK_FAMILIES`) after its own, so that a glyph
    its font lacks comes from them (matplotlib's per-glyph font fallback); returns those fonts (none installed:
    ``[]``, nothing changed; the Debian package is fonts-noto-cjk).

    >>> fig = bar_chart(["企业", "高校"], [3, 2], "respondents")
    >>> fonts = cjk_fallback(fig)
    >>> all(f in fig.axes[0].get_yticklabels()[0].get_fontfamily() for f in fonts)
    True
    """
    from matplotlib import font_manager
    from matplotlib.text import Text

    have = {f.name for f in font_manager.fontManager.ttflist}
    extra = [f for f in CJK_FAMILIES if f in have]
    if extra:
        for ax in fig.axes:             # tick labels are made when drawn: make them now, then set their fonts
            ax.get_xticklabels(), ax.get_yticklabels()
        for t in fig.findobj(Text):
            fam = list(t.get_fontfamily())
            t.set_fontfamily(fam + [f for f in extra if f not in fam])
    return extra


def figure_png(fig: Figure, dpi: int = 144) -> bytes:
    """The PNG bytes of ``fig`` (works whatever the matplotlib backend), with the CJK fonts as fallback
    (:func:`cjk_fallback`).

    >>> figure_png(path_diagram())[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    if hasattr(fig, "pipe"):            # a Graphviz graph (sem_graph): rendered by dot
        return _dot_pipe(fig, "png", dpi=dpi)
    cjk_fallback(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    return buf.getvalue()


# ============================================================================ path diagrams of any model
#: the one rule for non-significant paths, stated in every diagram's legend
NONSIG_STYLE = "dashed"
_INK = "#1f2d3d"


def _dot_pipe(graph, fmt: str, dpi: int = 144) -> bytes:
    import graphviz
    g = graph.copy()
    if fmt == "png":
        g.graph_attr["dpi"] = str(dpi)
    try:
        return g.pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        from ..errors import IURSurveyError
        raise IURSurveyError(None, "Graphviz's `dot` is not installed (Debian: apt-get install graphviz)") from None


def _esc(text) -> str:
    import html
    return html.escape(str(text), quote=True)


def sem_graph(estimates: pd.DataFrame, r2: Mapping[str, float] | None = None, *, indicators: bool = False,
              covariances: bool = False, standardized: bool = True, alpha: float = 0.05, group: str | None = None,
              labels: Mapping[str, str] | None = None, title: str | None = None, legend: bool = True,
              notes: Sequence[str] = (), group_variable: str | None = None,
              group_merged: Mapping[str, str] | None = None, shown_as: Mapping[str, str] | None = None,
              p_basis: str | None = None, sample: str | None = None, constraints: Sequence[str] = ()):
    """The path diagram of ANY model in lavaan's parameter-table form, laid out by Graphviz (``dot``).

    Latent variables are ellipses (their indicators boxes with ``indicators=True``), each structural path
    (``~``) an arrow from predictor to outcome labelled with its standardized coefficient (std.all, APA: no
    leading zero) and significance stars; ``standardized=False`` shows the unstandardized estimate.  R² is
    shown under the name of each endogenous variable (``r2``: variable -> R²).  Covariances among latent
    (or, with indicators, observed) variables are double-headed arcs with ``covariances=True``.  One rule
    for non-significance: a path with p ≥ ``alpha`` is DASHED (every line is the same colour), and the legend
    says so.  ``group`` picks one group of a multi-group table, and the legend names it (a numeric group code
    with ``group_variable``, the group column: "Group: sex = 2"; a group other groups were merged into before
    fitting, ``group_merged`` = results.json's ``groups_merged``, says so: "Group: south (east merged into
    it)").  ``notes``: lines
    added to the legend (e.g. that the solution is improper).  ``shown_as``: the name a node is drawn with, as
    the tables write it (a latent interaction's product factor ``A.B`` as "A × B", its items ``a1.b1`` as
    "a1 × b1": :func:`~iur_survey.report.paper.product_blocks`); other nodes show their own name.  ``p_basis``: a
    legend line on what the *p* of the stars and of the dashed rule is when it is not the plain ML one (after a
    bootstrap: the z test over the bootstrap *SE*, which the bootstrap CI of the tables can contradict).
    ``sample``: a legend line on the data the numbers come from (:func:`sample_line`: *N*, the group's *n*, the
    estimator and the treatment of missing data), so that the figure states them as a table does.
    ``constraints``: legend lines on the paths held equal across groups (:func:`equal_paths_line`).
    Returns a :class:`graphviz.Digraph` (its
    ``.source`` is the DOT text; :func:`render_diagram` writes SVG/PDF/PNG).

    >>> est = pd.DataFrame({"lhs": ["F", "F", "G", "G", "G"], "op": ["=~", "=~", "=~", "=~", "~"],
    ...                     "rhs": ["a", "b", "c", "d", "F"], "est": [1, .9, 1, .8, .5],
    ...                     "pvalue": [None, 1e-5, None, 1e-5, 0.2], "std.all": [.8, .7, .8, .7, .12]})
    >>> g = sem_graph(est, r2={"G": 0.014})
    >>> "F -> G" in g.source, "style=dashed" in g.source, "</I>² = .01" in g.source
    (True, True, True)

    A second-order factor's loadings are drawn as paths (R² of the first-order factors under them):

    >>> ho = pd.DataFrame({"lhs": ["F", "G", "h", "h"], "op": ["=~"] * 4, "rhs": ["a", "c", "F", "G"],
    ...                    "est": [1, 1, 1, .8], "pvalue": [None, None, None, 1e-4], "std.all": [.8, .8, .9, .6]})
    >>> src = sem_graph(ho, r2={"F": .81, "G": .36}).source
    >>> 'h -> G [label=".60***"' in src, "</I>² = .81" in src
    (True, True)

    A product factor drawn as the tables name it:

    >>> xz = pd.DataFrame({"lhs": ["X", "Z", "X.Z", "Y"], "op": ["=~", "=~", "=~", "~"], "rhs": ["x", "z", "x.z", "X.Z"],
    ...                    "est": [1, 1, 1, .3], "pvalue": [None, None, None, .01], "std.all": [.8, .8, .8, .2]})
    >>> "<B>X × Z</B>" in sem_graph(xz, shown_as={"X.Z": "X × Z"}).source
    True
    """
    import graphviz

    est = estimates.copy()
    groups: list[str] = []
    if "group" in est.columns and est["group"].notna().any():
        groups = [g for g in dict.fromkeys(est["group"].dropna().astype(str)) if g]
        if len(groups) > 1 and group is None:
            group = groups[0]
        if group is not None:
            est = est[est["group"].astype(str).isin([str(group), "", "None", "nan"]) | est["group"].isna()]
    names = dict(labels or {})
    shown_as = dict(shown_as or {})
    lat = list(dict.fromkeys(est.loc[est["op"] == "=~", "lhs"]))
    reg = est[est["op"] == "~"]
    # a higher-order loading (g =~ F): structural, drawn like a path from g to F, whose R² it explains
    higher = est[(est["op"] == "=~") & est["rhs"].isin(lat)]
    endo = set(reg["lhs"]) | set(higher["rhs"])
    observed_in_paths = [v for v in dict.fromkeys(list(reg["rhs"]) + list(reg["lhs"])) if v not in lat]
    coef = "std.all" if standardized else "est"

    def text(row) -> str:
        p = row.get("pvalue")
        return num(row[coef], 2, leading_zero=not standardized) + stars(p)

    untested: list[bool] = []          # a drawn parameter without a p (fixed: a first loading, a fixed.x covariance)

    def nonsig(row) -> bool:
        p = row.get("pvalue")
        untested.append(p is None or bool(pd.isna(p)))
        return p is not None and not pd.isna(p) and not float(p) < alpha

    g = graphviz.Digraph("sem", graph_attr={"rankdir": "LR", "splines": "spline", "nodesep": "0.35",
                                             "ranksep": "1.1", "fontname": "Helvetica", "bgcolor": "white",
                                             "newrank": "true", "pad": "0.2"},
                         node_attr={"fontname": "Helvetica", "color": _INK, "fontcolor": _INK, "penwidth": "1.4"},
                         edge_attr={"fontname": "Helvetica", "fontsize": "11", "color": _INK, "fontcolor": _INK,
                                    "arrowhead": "normal", "arrowsize": "0.8", "penwidth": "1.3"})

    def node_label(v: str) -> str:
        lines = [f"<B>{_esc(shown_as.get(v, v))}</B>"]
        if names.get(v):
            lines.append(f'<FONT POINT-SIZE="9">{_esc(" ".join(str(names[v]).split()))}</FONT>')
        if r2 and v in endo and r2.get(v) is not None and not pd.isna(r2.get(v)):
            lines.append(f'<FONT POINT-SIZE="10"><I>R</I>² = {_esc(num(r2[v], 2, False))}</FONT>')
        return "<" + "<BR/>".join(lines) + ">"

    for v in lat:
        g.node(v, node_label(v), shape="ellipse", style="filled",
               fillcolor="#fdf3e1" if v in endo else "#eef3f8", margin="0.12,0.06")
    for v in observed_in_paths:
        g.node(v, node_label(v), shape="box", style="filled", fillcolor="white")
    # predictors of nobody and outcomes of nobody at the two ends
    exo = [v for v in lat + observed_in_paths if v not in endo]
    if exo:
        with g.subgraph() as s:
            s.attr(rank="same")
            for v in exo:
                s.node(v)
            for a, b in zip(exo, exo[1:]):       # keep the model's order, top to bottom
                s.edge(a, b, style="invis")
    for row in reg.to_dict("records"):
        style = NONSIG_STYLE if nonsig(row) else "solid"
        g.edge(str(row["rhs"]), str(row["lhs"]), label=text(row), style=style)
    for row in higher.to_dict("records"):
        style = NONSIG_STYLE if nonsig(row) else "solid"
        g.edge(str(row["lhs"]), str(row["rhs"]), label=text(row), style=style)
    if indicators:
        load = est[est["op"] == "=~"]
        for row in load.to_dict("records"):
            item, f = str(row["rhs"]), str(row["lhs"])
            if item in lat:
                continue
            g.node(item, _esc(shown_as.get(item, item)), shape="box", fontsize="11", width="0.5", height="0.3")
            style = NONSIG_STYLE if nonsig(row) else "solid"
            if f in endo:
                g.edge(f, item, label=text(row), style=style, fontsize="9")
            else:   # exogenous factor: its indicators on the left, the arrow still from factor to item
                g.edge(item, f, label=text(row), style=style, fontsize="9", dir="back")
    arcs: list[str] = []     # one word per double-headed arc drawn: "residual" (an endogenous variable or item)
    if covariances:
        shown = set(lat) | set(observed_in_paths) | (set(est.loc[est["op"] == "=~", "rhs"]) if indicators else set())
        cov = est[(est["op"] == "~~") & (est["lhs"] != est["rhs"])]
        items = set(est.loc[est["op"] == "=~", "rhs"]) - set(lat)
        for row in cov.to_dict("records"):
            a, b = str(row["lhs"]), str(row["rhs"])
            if a in shown and b in shown:
                arcs.append("residual" if {a, b} & (set(endo) | items) else "plain")
                style = NONSIG_STYLE if nonsig(row) else "solid"
                g.edge(a, b, label=text(row), style=style, dir="both", constraint="false", arrowsize="0.6",
                       fontsize="9")
    if legend:
        what = "standardized coefficients (std.all)" if standardized else "unstandardized estimates"
        rows = [f"Numbers: {what}; * p &lt; .05, ** p &lt; .01, *** p &lt; .001",
                f"Solid: p &lt; {num(alpha, 2, False)}. Dashed: not significant (p ≥ {num(alpha, 2, False)})."]
        if any(untested):
            rows.append("Solid without stars: a fixed parameter (not tested).")
        if p_basis:
            rows.append(_esc(p_basis))
        if r2:
            rows.append("R²: variance explained.")
        rows += [_esc(c) for c in constraints if c]
        if arcs:
            rows.append("Double-headed arcs: covariances" + (
                " (std.all: of an endogenous variable or an item, lavaan's residual correlation)"
                if standardized and "residual" in arcs else "") + ".")
        if sample:
            rows.insert(0, _esc(sample))
        if group is not None and len(groups) > 1:
            rows.insert(0, f"Group: {_esc(merged_caption(group, group_variable, group_merged))}")
        rows += [f"<B>{_esc(n)}</B>" for n in notes]
        head = f'<FONT POINT-SIZE="14"><B>{_esc(title)}</B></FONT><BR/>' if title else ""
        g.attr(label="<" + head + '<FONT POINT-SIZE="10">' + "<BR/>".join(rows) + "</FONT>>",
               labelloc="b", labeljust="l")
    elif title or notes or (group is not None and len(groups) > 1):
        parts = ([title] if title else []) + ([f"Group: {merged_caption(group, group_variable, group_merged)}"]
                                              if group is not None and len(groups) > 1
                                              else []) + list(notes)
        g.attr(label="\n".join(parts), labelloc="t", fontsize="14")
    return g


def equal_paths_line(results: Mapping, shown_as: Mapping[str, str] | None = None,
                     group: str | None = None) -> str | None:
    """The diagram's legend line on the paths a multi-group fit holds equal across its groups
    (:func:`~iur_survey.report.paper.equal_paths`: ``group.equal`` or a label the groups share), as the tables'
    notes say it: the drawn group's std.all of such a path differs from the other groups' although its estimate
    is one, and a reader comparing the groups' diagrams must know that.  None for one group or no such path.

    >>> est = [{"lhs": "y", "op": "~", "rhs": x, "group": g, "label": lab, "est": 1}
    ...        for g in ("a", "b") for x, lab in (("x1", "c1"), ("x2", f"c2.{g}"))]
    >>> equal_paths_line({"estimates": est})
    'Held equal across groups (one unstandardized estimate for all groups; std.all differs by group): x1 → y.'
    >>> equal_paths_line({"estimates": est[1::2]}) is None
    True

    A path a label holds equal in some groups only (``c(a, a, b)*x``, :func:`~iur_survey.report.paper.
    partly_equal_paths`) is named too, on a line of its own, when the drawn ``group`` is one of them (the tables'
    notes name it):

    >>> est = [{"lhs": "y", "op": "~", "rhs": "x", "group": g, "label": lab, "est": 1}
    ...        for g, lab in (("g1", "a"), ("g2", "a"), ("g3", "b"))]
    >>> equal_paths_line({"estimates": est}, group="g2")
    'Held equal in some groups only (one unstandardized estimate for them; a label they share): x → y (g1, g2).'
    >>> equal_paths_line({"estimates": est}, group="g3") is None
    True
    """
    from .paper import equal_paths, group_variable, groups_merged, partly_equal_paths
    eq = equal_paths(results)
    part = {k: gs for k, (_, gs) in partly_equal_paths(results).items() if group is None or str(group) in gs}
    if not eq and not part:
        return None
    names = dict(shown_as or {})
    var, merged = group_variable(results), groups_merged(results)
    lines = []
    if eq:
        paths = ", ".join(f"{names.get(rhs, rhs)} → {names.get(lhs, lhs)}" for lhs, rhs in eq)
        lines.append(f"Held equal across groups (one unstandardized estimate for all groups; std.all differs by "
                     f"group): {paths}.")
    if part:
        paths = ", ".join(f"{names.get(rhs, rhs)} → {names.get(lhs, lhs)} ("
                          + ", ".join(merged_caption(g, var, merged) for g in gs) + ")" for (lhs, rhs), gs in part.items())
        lines.append(f"Held equal in some groups only (one unstandardized estimate for them; a label they share): "
                     f"{paths}.")
    return "\n".join(lines)          # one legend line each (the command splits them)


def sample_line(results: Mapping, group: str | None = None, group_variable: str | None = None) -> str | None:
    """The diagram's legend line on the data: *N* (and the drawn group's *n* in a multi-group fit), the estimator
    and how missing values were treated (:func:`~iur_survey.sem.results.missing_words`, the tables' wording);
    None when results.json records no *N*.

    >>> sample_line({"n": 246, "estimator": "ML", "missing": "fiml", "groups": {"2": 156, "1": 90}}, "1", "g")
    'N = 246 (g = 1: n = 90); estimator ML; missing data: full-information ML (lavaan missing = "ml")'
    >>> sample_line({"n": 301, "estimator": "MLR", "missing": "listwise", "norig": 301})
    'N = 301; estimator MLR; missing data: listwise deletion (no row had a missing value)'
    >>> sample_line({"n": 2749, "estimator": "ML", "missing": "fiml", "groups": {"male": 898, "female": 1851}},
    ...             "female", "gender").split(";")[0]
    'N = 2,749 (female: n = 1,851)'
    """
    from ..sem.results import missing_words
    n = results.get("n")
    if n is None:
        return None
    sizes = results.get("groups") if isinstance(results.get("groups"), Mapping) else {}
    norig = results.get("norig")
    if isinstance(norig, Mapping):          # one per group: the total
        try:
            norig = sum(int(v) for v in norig.values())
        except (TypeError, ValueError):
            norig = None
    def count(k):                            # with the tables' thousands separator: N = 2,749
        return integer(k) if isinstance(k, (int, float)) else k
    line = f"N = {count(n)}"
    if group is not None and len(sizes) > 1 and group in sizes:
        line += f" ({merged_caption(group, group_variable)}: n = {count(sizes[group])})"
    line += f"; estimator {results.get('estimator') or 'not recorded'}"
    return line + f"; missing data: {missing_words(results.get('missing'), n, norig)}"


def render_diagram(graph, out: str | Path) -> Path:
    """Write a :func:`sem_graph` to ``out``: ``.svg``, ``.pdf`` or ``.png`` (by the extension)."""
    from ..errors import IURSurveyError
    out = Path(out)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("svg", "pdf", "png"):
        raise IURSurveyError(out, "the diagram must be .svg, .pdf or .png")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(_dot_pipe(graph, fmt))
    return out
