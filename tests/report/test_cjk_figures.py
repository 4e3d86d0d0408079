"""Chinese group names in the book's matplotlib figures (Fig. 7.x: respondents by role, paths by group) are drawn
with an installed CJK font, not as empty boxes (matplotlib's "Glyph ... missing from font(s) DejaVu Sans")."""

from __future__ import annotations

import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text

from iur_survey.report.diagram import CJK_FAMILIES, bar_chart, cjk_fallback, figure_png, forest_plot


def _installed() -> list[str]:
    from matplotlib import font_manager
    have = {f.name for f in font_manager.fontManager.ttflist}
    return [f for f in CJK_FAMILIES if f in have]


@pytest.mark.skipif(not _installed(), reason="no CJK font installed (Debian fonts-noto-cjk)")
@pytest.mark.parametrize("make", ["bar", "forest"])
def test_chinese_labels_have_their_glyphs(make):
    if make == "bar":
        fig = bar_chart(["企业", "高校", "政府"], [102, 63, 12], "respondents", fmt="{:.0f}")
    else:
        fr = pd.DataFrame({"path": ["A → B", "A → B"], "group": ["政府 + 高校", "企业"], "est": [.4, .7],
                           "ci.lower": [.1, .4], "ci.upper": [.8, 1.0]})
        fig = forest_plot(fr, label="path", group="group")
    assert figure_png(fig)[:4] == b"\x89PNG"
    texts = [t for t in fig.findobj(Text) if any(ord(c) > 0x2E7F for c in t.get_text())]
    assert texts                                          # the group names are there
    for t in texts:                                       # every character has a glyph in the fonts it is drawn with
        fonts = [FT2Font(str(p)) for p in font_manager.fontManager._find_fonts_by_props(t.get_fontproperties())]
        lacking = [c for c in t.get_text() if not c.isspace() and not any(f.get_char_index(ord(c)) for f in fonts)]
        assert not lacking, (t.get_text(), lacking)


def test_latin_text_keeps_its_own_font_first():
    fig = bar_chart(["enterprise", "university"], [3, 2], "respondents")
    fonts = cjk_fallback(fig)
    fam = fig.axes[0].get_yticklabels()[0].get_fontfamily()
    assert fam[0] == "sans-serif" and fam[1:] == fonts
