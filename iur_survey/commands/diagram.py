"""Path diagram of a fitted model (any lavaan-syntax model) as SVG, PDF or PNG, laid out by Graphviz.

Reads RESULTS.json of `iur-survey fit` and draws the latent variables as
ellipses (observed variables in paths as boxes), every structural path with
its standardized coefficient (std.all) and significance stars, R² under each
endogenous variable, and a legend.  One rule for non-significant paths: they
are dashed (p >= .05; every line has the same colour).  --indicators adds the
items as boxes with their loadings; --covariances adds the covariances among
the drawn variables as double-headed arcs; --group picks one group of a
multi-group fit; --unstandardized shows the raw estimates.

A multi-group diagram names its group in the legend (and the groups merged
into it by `iur-survey fit --merge-groups FROM=INTO`).  An improper solution
(negative variance, standardized loading beyond ±1) is stated in the legend; a
fit that did not converge is refused (exit status 3, as `iur-survey fit`).

Needs Graphviz's `dot` (Debian: graphviz).

examples:
  iur-survey diagram results.json --out paths.svg
  iur-survey diagram results.json --indicators --covariances --out model.pdf
  iur-survey diagram results_groups.json --group government --out government.png
"""

from __future__ import annotations

import argparse
import sys

from ._io import add_results_argument

NAME = "diagram"
HELP = "path diagram (SVG/PDF/PNG) of results.json, any model, laid out by Graphviz"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_results_argument(parser)
    parser.add_argument("--out", metavar="FILE", required=True, help="FILE.svg, FILE.pdf or FILE.png")
    parser.add_argument("--indicators", action="store_true", help="draw the indicators (boxes) with their loadings")
    parser.add_argument("--covariances", action="store_true", help="draw covariances as double-headed arcs")
    parser.add_argument("--group", metavar="LABEL", default=None,
                        help="the group to draw, by its code or the wording the tables show (multi-group fits; default: the first)")
    parser.add_argument("--unstandardized", action="store_true",
                        help="show unstandardized estimates instead of std.all")
    parser.add_argument("--alpha", type=float, default=0.05, help="significance level of the dashed rule (.05)")
    parser.add_argument("--title", default=None, help="a title above the diagram")
    parser.add_argument("--dot", metavar="FILE.gv", default=None, help="also write the Graphviz source")


def run(args: argparse.Namespace) -> int:
    import sys

    from ..errors import IURSurveyError
    from ..report.format import group_wordings
    from ..report.paper import NotConvergedError, estimates_frame, group_words, groups_merged, load_results
    from ..sem.results_file import version_note
    from ._io import check_output, print_warnings
    from .fit import EXIT_NOT_CONVERGED

    if not 0 < args.alpha < 1:
        raise IURSurveyError(None, f"--alpha must be in (0, 1), not {args.alpha:g}")
    check_output(args.out, args.results)          # never over an input
    if args.dot:
        check_output(args.dot, args.results, args.out)
    res = load_results(args.results)
    print_warnings("diagram", filter(None, [version_note(res)]))          # another version's file: read, said
    try:
        est = estimates_frame(res)
    except NotConvergedError as exc:             # never a diagram of a fit that did not converge: exit 3
        print(f"iur-survey diagram: error: {exc}", file=sys.stderr)
        return EXIT_NOT_CONVERGED
    groups = [g for g in dict.fromkeys(est["group"]) if g]
    merged = groups_merged(res)
    words = group_words([res])
    if args.group is not None and args.group not in groups:
        # the wording the tables and legend show ("Government") names its code, when exactly one group has it
        said = [g for g in [*groups, *merged] for w in words.values()
                if str(w.get(g, "")).casefold() == args.group.casefold()]
        if len(set(said)) == 1:
            args.group = said[0]
    if args.group is not None and args.group not in groups:
        if merged.get(args.group) in groups:          # a group merged into another before fitting
            raise IURSurveyError(args.results, f"--group {args.group!r} was merged into {merged[args.group]!r} "
                                               f"before fitting: use --group {merged[args.group]!r}")
        raise IURSurveyError(args.results, f"--group {args.group!r}: not a group of this fit "
                                           f"(groups: {', '.join(groups) or 'none: one-group fit'})")
    group = args.group or (groups[0] if groups else None)
    with group_wordings(words):      # "Enterprise", as the tables write the group, not its code
        return _draw(args, res, est, groups, merged, group)


def _draw(args, res, est, groups, merged, group) -> int:
    import sys
    from pathlib import Path

    from ..report.diagram import equal_paths_line, render_diagram, sample_line, sem_graph
    from ..report.format import merged_caption
    from ..report.terminal import ci_kind
    from ..report.paper import group_variable, improper_legend, product_blocks

    if args.group is None and len(groups) > 1:      # one diagram of several groups: say which, and how to get the others
        print(f"note: a fit of {len(groups)} groups; drew the first, {merged_caption(group, group_variable(res), merged)} "
              f"(--group LABEL draws another: {', '.join(groups[1:])})", file=sys.stderr)
    r2 = res.get("r2") or {}
    if group is not None and isinstance(r2.get(group), dict):
        r2 = r2[group]
    mine = est if group is None else est[est["group"].isin([group, ""])]
    var = group_variable(res)
    notes = improper_legend(mine, var)
    products = product_blocks(res, est)          # "X × Z" and its items "x1 × z1", as the tables write them
    shown_as = {k: v for p in products.values() for k, v in p["items"].items()}
    shown_as.update({lat: p["name"] for lat, p in products.items()})
    boot = res.get("bootstrap")
    p_basis = None
    if isinstance(boot, dict) and boot:          # the stars' p after a bootstrap: lavaan's z over the bootstrap SE
        p_basis = (f"p: z test of the estimate over its bootstrap SE (B = {boot.get('B')}), as lavaan's; "
                   f"the {ci_kind(res)} of the tables can disagree with it.")
    graph = sem_graph(est, r2=r2, indicators=args.indicators, covariances=args.covariances,
                      standardized=not args.unstandardized, alpha=args.alpha, group=group, title=args.title,
                      notes=notes, group_variable=var, group_merged=merged, shown_as=shown_as, p_basis=p_basis,
                      sample=sample_line(res, group if len(groups) > 1 else None, var),
                      constraints=((equal_paths_line(res, shown_as, group) or "").splitlines()
                                   if len(groups) > 1 else []))
    out = render_diagram(graph, args.out)
    if args.dot:
        Path(args.dot).write_text(graph.source, encoding="utf-8")
    lat = set(est.loc[est["op"] == "=~", "lhs"])
    structural = (est["op"] == "~") | ((est["op"] == "=~") & est["rhs"].isin(lat))     # higher-order loadings too
    n_paths = int(structural.sum() if group is None else (structural & (est["group"] == group)).sum())
    print(f"diagram: {n_paths} paths" + (f" (group {merged_caption(group, var, merged)})" if group else "")
          + f"; wrote {out}")
    return 0
