"""An SPSS cell quoted by an error reads as the number it is, not numpy's repr (fuzz30: a .sav with a negative
duration was refused with "duration np.float64(-5.0) is negative")."""

from __future__ import annotations

import pandas as pd
import pyreadstat

from iur_survey.cli import main


def test_a_negative_sav_duration_is_quoted_as_a_number(tmp_path, capsys):
    (tmp_path / "i.yaml").write_text("scale: {min: 1, max: 5}\nconstructs:\n  A: {items: [A1, A2, A3]}\n",
                                     encoding="utf-8")
    d = pd.DataFrame({"ResponseId": [f"r{i}" for i in range(6)], "A1": [1.0, 2, 3, 4, 5, 1],
                      "A2": [2.0, 3, 4, 5, 1, 2], "A3": [3.0, 4, 5, 1, 2, 3],
                      "Duration__in_seconds_": [-5.0, 100, 120, 130, 140, 150]})
    pyreadstat.write_sav(d, str(tmp_path / "x.sav"))
    assert main(["clean", str(tmp_path / "x.sav"), "--instrument", str(tmp_path / "i.yaml"),
                 "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith("x.sav:2:Duration__in_seconds_: duration -5.0 is negative") and "np." not in err
