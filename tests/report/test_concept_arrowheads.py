"""The conceptual model (chapter 1's Fig. 1) shows the direction of every path: no arrowhead under a node.

journey32: the arrows were shortened by a fixed 34 points, less than half an ellipse's width, so the heads of the
level arrows (BEN -> COL, COL -> INT on the study's model; CAP -> COL on a three-mechanism instrument) were drawn
under the target node: Fig. 1 showed H3 and H6 as lines without a direction."""

from __future__ import annotations

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.patches import Ellipse, FancyArrowPatch

from iur_survey.report.diagram import path_diagram


@pytest.mark.parametrize("mechanisms", [None, ("TRU", "CAP", "POL"), ("RES",)])
def test_every_arrowhead_lies_outside_the_nodes(mechanisms):
    fig = path_diagram(mechanisms=mechanisms)
    FigureCanvasAgg(fig).draw()
    ax = fig.axes[0]
    nodes = [p for p in ax.patches if isinstance(p, Ellipse)]
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    k = len(mechanisms or "GOV MKT BEN VAL TAL".split())
    assert len(nodes) == k + 2 and len(arrows) == 2 * k + 1
    for a in arrows:
        tip = ax.transData.transform(a.get_path().vertices)      # display coordinates of the drawn arrow
        inside = [any(n.contains_point(pt) for n in nodes) for pt in tip]
        assert not any(inside), (a.get_path().vertices[inside], mechanisms)
