"""Other statistics packages' files are refused by name, with or without --format (they failed as text whose
encoding was to be given: audit s24 readaudit C1, on pyreadstat's and haven's sample.dta, sample.xpt,
sample.sas7bdat)."""

from __future__ import annotations

import re

import pytest

from iur_survey.errors import FormatDetectionError
from iur_survey.instrument import load_instrument
from iur_survey.read import read_export

HEADS = {"new.dta": (b"<stata_dta><header><release>118</release>", "a Stata .dta file"),
         "old.dta": (b"\x72\x02\x01\x00\x07\x00\x05\x00\x00\x00", "a Stata .dta file"),
         "x.xpt": (b"HEADER RECORD*******LIBRARY HEADER RECORD!!!!!!!000000000000000000000000000000  ",
                   "a SAS transport (.xpt) file"),
         "x.sas7bdat": (b"\x00" * 12 + bytes.fromhex("c2ea8160b31411cfbd92080009c7318c181f1011") + b"\x00" * 64,
                        "a SAS data set (.sas7bdat)")}


@pytest.mark.parametrize("name", sorted(HEADS))
@pytest.mark.parametrize("fmt", [None, "csv"])
def test_foreign_file_named(tmp_path, name, fmt):
    head, what = HEADS[name]
    p = tmp_path / name
    p.write_bytes(head + b"\x00\x01\x02" * 50)
    with pytest.raises(FormatDetectionError, match=re.escape(f"{name}: {what}: the readers take SPSS")) as ei:
        read_export(p, load_instrument(), format=fmt)
    assert "encoding" not in str(ei.value)
