"""Exploratory factor analysis of the items of DATA.csv; writes efa.json.

Extraction by maximum likelihood (--extraction ml, default) or principal axes (--extraction pa,
psych's fm = "pa"), on Pearson (default; listwise, or --missing pairwise) or polychoric (--cor
polychoric: lavaan's polychoric correlations) correlations.  ML on Pearson correlations is the solution
of lavaan's efa() with its chi-square, RMSEA, TLI and CFI (uniquenesses bounded at 0.005 as R's
factanal: in a Heywood case, which a warning reports, the fit differs slightly from lavaan's, which lets
them go to ~0).  On polychoric correlations the solution is psych::fa(cor = "poly", fm = "ml" or "pa"),
not lavaan's efa(ordered = TRUE) (DWLS, WLSMV fit): no chi-square, RMSEA, TLI, CFI or Bartlett's test
is reported (null in efa.json, n/a on screen: on a polychoric matrix their statistics are not
chi-square distributed), and KMO is computed from the polychoric matrix.
Rotations: geomin (lavaan's default: oblique, epsilon 0.001, best of 30 random starts), oblimin,
promax (psych's), varimax.  --factors
K, or auto: parallel analysis (Horn; squared multiple correlations on the diagonal; 95th percentile of 50
random data sets, --seed: normal data, or with --cor polychoric the items' answers permuted column by
column).  Factors are reflected to a positive sum of loadings (--rotation none: ordered by variance).  efa.json holds n, the settings, loadings (a list of
{item, F1, F2, ...}), phi (factor correlations), communalities, fit (ML, Pearson), kmo (per item and
overall), bartlett (Pearson), warnings, notes and, with --factors auto or --parallel, the parallel
analysis; --scree FILE draws the scree plot.

The items are every numeric column except response_id and role (a column of distinct whole numbers,
an identifier, is refused: name the items), or --items A,B,C (or a prefix list:
--items GOV,MKT takes GOV1, GOV2, ...).  The data are read as `fit` and `pls` read them
(iur_survey.datafile): only an empty cell is missing; a text cell (#N/A too) in an item column, a value
off the instrument's scale and a missing-value code are refused with the file, row and column.  An EFA is exploratory: confirm its structure with a CFA on
other data (the book splits the sample in halves).

examples:
  iur-survey efa results/clean/clean.csv --factors auto --out efa.json --scree scree.svg
  iur-survey efa clean.csv --factors 7 --rotation oblimin --cor polychoric --out efa.json
"""

from __future__ import annotations

import argparse

from ._io import add_instrument_option

NAME = "efa"
HELP = "exploratory factor analysis of the items (ML or PA; geomin, oblimin, promax, varimax) -> efa.json"


def _factors(text: str):
    if text.lower() == "auto":
        return "auto"
    try:
        k = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--factors: a whole number or 'auto', not {text!r}") from None
    if k < 1:
        raise argparse.ArgumentTypeError("--factors must be at least 1")
    return k


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("data", metavar="DATA.csv", help="item data (e.g. from `iur-survey clean`)")
    parser.add_argument("--factors", type=_factors, default="auto", metavar="K|auto",
                        help="number of factors, or auto (parallel analysis; default)")
    parser.add_argument("--rotation", choices=["geomin", "oblimin", "promax", "varimax", "none"], default="geomin",
                        type=str.lower, help="rotation (default geomin, as lavaan's efa())")
    parser.add_argument("--extraction", choices=["ml", "pa"], default="ml", type=str.lower,
                        help="ml (maximum likelihood, default) or pa (principal axes)")
    parser.add_argument("--cor", choices=["pearson", "polychoric"], default="pearson", type=str.lower,
                        help="correlations: pearson (default) or polychoric (ordinal items; psych::fa(cor = "
                             "\"poly\")'s solution, no chi-square fit or Bartlett test)")
    parser.add_argument("--missing", choices=["listwise", "pairwise"], default="listwise", type=str.lower,
                        help="incomplete rows: listwise (default, as lavaan's efa()) or pairwise correlations "
                             "(Pearson only, as psych's fa(); n = the smallest pairwise count)")
    parser.add_argument("--items", metavar="LIST", default=None,
                        help="comma-separated items or item prefixes (default: every numeric column but "
                             "response_id and role)")
    parser.add_argument("--parallel", action="store_true", help="store the parallel analysis even with K given")
    parser.add_argument("--smooth", action="store_true",
                        help="with --cor polychoric: smooth a matrix that is not positive definite as psych's "
                             "cor.smooth does (with a warning), instead of refusing it")
    parser.add_argument("--seed", type=int, default=2022, help="seed of the parallel analysis (default 2022)")
    parser.add_argument("--scree", metavar="FILE", default=None, help="draw the scree plot to FILE (.svg/.pdf/.png)")
    parser.add_argument("--out", metavar="FILE", required=True, help="where to write efa.json")
    add_instrument_option(parser)


def _identifier_like(col) -> bool:
    """A column of whole numbers with every value distinct (20 rows or more): a respondent number, not an item.

    >>> import pandas as pd
    >>> _identifier_like(pd.Series(range(1, 31))), _identifier_like(pd.Series([1, 2, 3, 4, 5] * 6))
    (True, False)
    """
    import pandas as pd

    x = pd.to_numeric(col, errors="coerce").dropna()
    return bool(len(x) >= 20 and x.is_unique and (x % 1 == 0).all())


def _items(data, spec: str | None) -> list[str]:
    import pandas as pd

    from ..errors import EstimationError
    if spec is None:
        cols = [c for c in data.columns if c not in ("response_id", "role")
                and pd.api.types.is_numeric_dtype(data[c]) and not pd.api.types.is_bool_dtype(data[c])]
        if len(cols) < 3:
            raise EstimationError(None, "fewer than three numeric item columns; name them with --items")
        ids = [c for c in cols if _identifier_like(data[c])]
        if ids:
            raise EstimationError(None, f"column {ids[0]!r} looks like an identifier (whole numbers, every value "
                                        "distinct), not an item: name the items with --items")
        return cols
    out: list[str] = []
    for tok in (t.strip() for t in spec.split(",") if t.strip()):
        if tok in data.columns:
            out.append(tok)
            continue
        hits = [c for c in data.columns if c.startswith(tok) and c[len(tok):].isdigit()]
        if not hits:
            raise EstimationError(None, f"--items: {tok!r} is neither a column nor the prefix of numbered columns")
        out.extend(hits)
    dup = sorted({c for c in out if out.count(c) > 1})
    if dup:
        raise EstimationError(None, f"--items names {dup[0]!r} twice")
    return out


#: the formats --scree can draw (by the file's extension)
SCREE_FORMATS = (".svg", ".pdf", ".png")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..datafile import check_data, load_data, naming_file
    from ..errors import IURSurveyError
    from ..measure.efa import efa, scree_plot
    from ._io import check_output, print_warnings, write_json_atomic

    check_output(args.out, args.data)             # never over the data: before the work, as `fit`
    if args.scree:
        if Path(args.scree).suffix.lower() not in SCREE_FORMATS:
            raise IURSurveyError(args.scree, f"--scree: the plot must be {', '.join(SCREE_FORMATS)} "
                                             f"(by the file's extension)")
        check_output(args.scree, args.data, args.out)
    data = load_data(args.data, instrument=args.instrument)     # the item-like columns checked
    with naming_file(args.data):
        items = _items(data, args.items)
        check_data(data, items, file=args.data, instrument=args.instrument)
        res = efa(data, args.factors, rotation=args.rotation, extraction=args.extraction, cor=args.cor, items=items,
                  parallel=args.parallel or None, seed=args.seed, missing=args.missing, smooth=args.smooth)
    payload = res.to_dict()
    out = write_json_atomic(payload, args.out, protect=(args.data,))
    if args.scree:
        from ..measure.efa import parallel_analysis
        pa = res.parallel if res.parallel is not None else parallel_analysis(data[items], cor=args.cor,
                                                                            seed=args.seed, missing=args.missing,
                                                                            smooth=args.smooth)
        scree_plot(pa, args.scree)
    print(res.summary(with_warnings=False))
    print_warnings("efa", res.warnings)           # on stderr, one line each (results: efa.json)
    if res.parallel is not None:
        print(f"  parallel analysis: {res.parallel.attrs['n_factors']} factor(s), "
              f"{res.parallel.attrs['n_components']} component(s)")
    print(f"  wrote {out}" + (f" and {args.scree}" if args.scree else ""))
    return 0
