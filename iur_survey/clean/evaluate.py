"""How well the cleaning recovers known careless, invalid and duplicate responses.

The simulator (:mod:`iur_survey.simulate`) records, for every response it made
non-honest, a truth row ``(response_id, kind, detail)``.  :func:`recovery` matches
those ids against the exclusion ledger and reports recall and precision per truth
kind, per rule, overall, and the share of honest responses excluded.

Truth kinds and the rules meant to catch them (:data:`KIND_RULES`); ``item_nonresponse``
and the response styles are not exclusions (those respondents are honest).  Only the
ledger rows whose ``action`` is ``excluded`` count (an index alone only flags).

:func:`evaluate` and :func:`tables` (``python -m iur_survey.clean.evaluate``) run the
whole path -- simulate, write every export format, read, clean -- over sample sizes and
seeds, for the package's simulator (style strengths drawn per seed), for an
independent graded-response-model generator (``tests/clean/grm_generator.py``) and for
real honest respondents (``--generator real``: rows of psych's ``bfi`` with injected
careless cases, ``tests/clean/real_generator.py``) and for the simulator with its opt-in kinds
switched on (``--generator varied``, :data:`VARIED_RATES`), and print recall
by careless kind and the exclusion rate of honest respondents by style.
``--add-rule mahalanobis_ipsatized`` evaluates an opt-in index rule beside the defaults.
``--bound`` prints, per generator, the Neyman-Pearson bound on the recall of random and
partly random answers (and, for the simulator, of its speeders' hasty answers) at honest
exclusion 0.5, 1 and 1.5 % (:mod:`iur_survey.clean.oracle`) beside the default cleaning's
measured recall (:func:`bound_table`).

>>> truth = pd.DataFrame({"response_id": ["a", "b", "c"], "kind": ["preview", "straightliner", "random"]})
>>> ledger = pd.DataFrame({"response_id": ["a", "b", "b", "h"],
...                        "rule": ["status", "longstring", "irv", "mahalanobis"]})
>>> rec = recovery(truth, ledger, response_ids=["a", "b", "c", "h", "i"])
>>> rec.set_index("name").loc[["preview", "straightliner", "random", "mahalanobis", "honest"],
...                           ["n_true", "n_flagged", "n_hit", "recall", "precision"]]
               n_true  n_flagged  n_hit  recall  precision
name                                                      
preview             1          1      1     1.0        1.0
straightliner       1          1      1     1.0        1.0
random              1          1      0     0.0        0.0
mahalanobis         1          1      0     0.0        0.0
honest              2          1      1     0.5        NaN
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import pandas as pd

from . import indices as ix
from . import oracle
from ..errors import InstrumentError, IURSurveyError
from ..instrument import Instrument, load_instrument
from ..read import read_export
from .config import CleanConfig
from .pipeline import clean
from ..simulate.contamination import CLEANING_RULES as KIND_RULES
from ..simulate.contamination import STYLE_KINDS as SIMULATOR_STYLES
from ..simulate.contamination import Contamination, StyleStrengths
from ..simulate.respondents import SPEEDER_SIGNAL, simulate
from .rules import DEFAULT_RULES, INDEX_RULES, RULE_ORDER, SCREENING_RULES

#: rule -> the truth kinds it legitimately catches (for ``precision_kind``): the kinds it is
#: meant for, plus an exact repeat of a row (``duplicate_id``) for the same-IP rule, which
#: is a same-answers-same-IP submission too
RULE_TARGETS: dict[str, tuple[str, ...]] = {
    rule: tuple(k for k, rs in KIND_RULES.items() if rule in rs) for rule in RULE_ORDER}
RULE_TARGETS["duplicate_answers_ip"] += ("duplicate_id",)
#: honest response styles (truth kinds of honest respondents; the foreign generator also mixes two; the last four
#: are the simulator's opt-in styles, on in the varied generator)
STYLE_KINDS = SIMULATOR_STYLES[:4] + ("acquiescent+extreme",) + SIMULATOR_STYLES[4:]
#: truth kinds that are not reasons to exclude
NOT_EXCLUSIONS = ("item_nonresponse",) + STYLE_KINDS
#: careless kinds: what the data-based indices are for (``random_marginal``: random answers drawn from the
#: sample's own answer shares, item by item; ``partial_straight``: a careful start, then one answer to the end;
#: both the foreign generator's)
#: the simulator's opt-in kinds, on in the varied generator: ``random_marginal`` (the honest respondents' answer
#: shares), ``mild_random`` (half the answers random), ``partial_late`` (careless from about 2/3 of the form),
#: ``speeder_straight`` (fast straight-lining)
#: ``page_line`` (one answer per grid page, another on the next), ``keyed_line`` (a line at the disagree end held on
#: the reverse-keyed items, 1-4 slips), ``near_copy`` (an honest respondent's answers again, 3-6 items changed,
#: later, under a new id: caught by ``near_duplicate`` alone), ``adjacent`` (two neighbouring codes on every item) and
#: ``lean_random`` (uniform on the upper or lower three codes): simulated only when asked for (not in VARIED_RATES)
CARELESS_KINDS = ("speeder", "speeder_straight", "straightliner", "random", "random_marginal", "mild_random",
                  "pattern", "partial", "partial_late", "partial_straight", "partial_pattern", "page_line",
                  "keyed_line", "near_copy", "adjacent", "lean_random")


def _read(path: Path, inst: Instrument):
    """The reader on a generated export, its notes left out: they speak of the generators' own planted cases
    (repeated e-mail addresses of duplicates, ...), which the evaluation counts, and would bury its tables."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return read_export(path, inst)


def _sets(keys: np.ndarray, labels: np.ndarray) -> dict[str, set]:
    out: dict[str, set] = {}
    for k in pd.unique(labels):
        out[str(k)] = set(keys[labels == k].tolist())
    return out


def recovery(truth: pd.DataFrame, exclusions: pd.DataFrame,
             response_ids: Iterable[str] | None = None, *, rows: Iterable[int] | None = None) -> pd.DataFrame:
    """Recall and precision of the ledger ``exclusions`` against the simulator's ``truth``.

    One row per truth kind (``level="kind"``: caught = flagged by one of the kind's
    :data:`KIND_RULES`), per rule (``level="rule"``: its targets are the kinds it is meant
    for), ``all`` (any exclusion kind against any rule) and, when the universe of responses
    is known, ``honest`` (responses with no exclusion kind; ``n_hit`` is the number of them
    excluded and ``recall`` is that share: lower is better).

    Matching is by ``response_id`` (the universe: ``response_ids``, every id of the raw
    data), or, when ``rows`` is given (the raw frame's ``_row`` values in frame order) and
    ``truth`` has the simulator's ``position`` column, by raw row: exact even for the two
    rows of a repeated id.  Every truth row counts, primary or secondary (a straight-liner
    who also sped is a speeder too).

    Columns: ``level``, ``name``, ``rules``, ``n_true`` (responses of the target kinds),
    ``n_flagged`` (responses flagged by the rules), ``n_hit`` (both), ``recall = n_hit/n_true``,
    ``precision`` = share of flagged responses that are non-honest of *any* kind,
    ``precision_kind`` = share of flagged responses of a kind the rules are meant for
    (:data:`RULE_TARGETS`; an unfinished response that never reached the attention check
    is a true positive of ``attention`` for ``precision`` but not for ``precision_kind``),
    ``recall_any`` = share of the kind's responses excluded by any rule, ``n_reached`` and
    ``recall_reached``: for the data-based index rules (stage 2 of the pipeline), the
    target responses that passed the screening rules and the share of those caught (a
    straight-liner who already failed the attention check never reaches ``longstring``);
    for other rows the same as ``n_true`` and ``recall``.
    """
    truth = truth[~truth["kind"].isin(NOT_EXCLUSIONS)]
    if "action" in exclusions.columns:  # flagged-but-kept responses are not exclusions
        exclusions = exclusions[exclusions["action"] == "excluded"]
    universe: set | None = None
    if rows is not None and "position" in truth.columns:
        rows = np.asarray(list(rows), dtype=np.int64)
        t_keys = truth["position"].to_numpy(dtype=np.int64)
        e_keys = pd.Index(rows).get_indexer(exclusions["row"].to_numpy(dtype=np.int64))
        if (e_keys < 0).any():
            raise ValueError("the ledger names raw rows that are not in `rows`")
        universe = set(range(len(rows)))
    else:
        t_keys = truth["response_id"].astype(str).to_numpy()
        e_keys = exclusions["response_id"].astype(str).to_numpy()
        if response_ids is not None:
            universe = set(map(str, response_ids))
    by_kind = _sets(t_keys, truth["kind"].astype(str).to_numpy())
    by_rule = _sets(e_keys, exclusions["rule"].astype(str).to_numpy())
    bad = set().union(*by_kind.values()) if by_kind else set()
    flagged_any = set(e_keys.tolist())
    screened_out = set().union(*(by_rule.get(r, set()) for r in SCREENING_RULES))

    table = []

    def add(level, name, rules, target, flagged, label=None):
        n_hit = len(target & flagged)
        # index rules only see the responses that passed the screening rules
        reached = target - screened_out if rules and set(rules) <= set(INDEX_RULES) else target
        legit = set().union(*(by_kind.get(k, set()) for r in rules for k in RULE_TARGETS.get(r, ())))
        table.append({
            "level": level, "name": name, "rules": label or " ".join(rules),
            "n_true": len(target), "n_flagged": len(flagged), "n_hit": n_hit,
            "recall": n_hit / len(target) if target else np.nan,
            "precision": len(flagged & bad) / len(flagged) if flagged else np.nan,
            "precision_kind": len(flagged & legit) / len(flagged) if flagged else np.nan,
            "recall_any": len(target & flagged_any) / len(target) if target else np.nan,
            "n_reached": len(reached),
            "recall_reached": len(reached & flagged) / len(reached) if reached else np.nan,
        })

    kinds = [k for k in KIND_RULES if k in by_kind] + [k for k in by_kind if k not in KIND_RULES]
    for kind in kinds:
        rules = KIND_RULES.get(kind, ())
        flagged = set().union(*(by_rule.get(r, set()) for r in rules)) if rules else set()
        add("kind", kind, rules, by_kind[kind], flagged)
    for rule in RULE_ORDER:
        target = set().union(*(by_kind.get(k, set()) for k in KIND_RULES if rule in KIND_RULES[k]))
        add("rule", rule, (rule,), target, by_rule.get(rule, set()))
    add("all", "all", tuple(RULE_ORDER), bad, flagged_any, label="any")
    if universe is not None:
        honest = universe - bad
        n_hit = len(honest & flagged_any)
        table.append({"level": "honest", "name": "honest", "rules": "", "n_true": len(honest),
                     "n_flagged": len(flagged_any - bad), "n_hit": n_hit,
                     "recall": n_hit / len(honest) if honest else np.nan,
                     "precision": np.nan, "precision_kind": np.nan,
                     "recall_any": n_hit / len(honest) if honest else np.nan,
                     "n_reached": len(honest), "recall_reached": n_hit / len(honest) if honest else np.nan})
    return pd.DataFrame(table)


# -- the style-and-kind evaluation ------------------------------------------------------------
#: export formats of the evaluation, with their file extension
EXPORT_FORMATS = {"qualtrics": ".csv", "wjx_csv": ".csv", "wjx_xlsx": ".xlsx", "spss": ".sav", "csv": ".csv",
                  "xlsx": ".xlsx"}


def outcomes(truth: pd.DataFrame, exclusions: pd.DataFrame, rows: Iterable[int]) -> pd.DataFrame:
    """One row per raw row: its ``label`` (an exclusion kind, an honest style, or ``honest``), ``excluded``, and
    ``by_indices``: excluded as careless by the careless-responding indices (the ledger's ``basis`` is not
    "screening rule"; a careless respondent who also failed the attention check is excluded by screening).

    ``truth`` must have the simulator's ``position`` column (0-based frame row) and
    ``primary``; ``rows`` are the raw frame's ``_row`` values in frame order.  An honest
    respondent's label is their style (``honest`` without one); item nonresponse is not a label.

    >>> truth = pd.DataFrame({"position": [0, 2], "kind": ["random", "extreme"], "primary": [True, True]})
    >>> ledger = pd.DataFrame({"row": [2, 4], "rule": ["mahalanobis", "mahalanobis"], "action": ["excluded", "flagged"],
    ...                        "basis": ["convergent evidence: size + likelihood", ""]})
    >>> outcomes(truth, ledger, rows=[2, 3, 4]).to_dict("list")
    {'label': ['random', 'honest', 'extreme'], 'excluded': [True, False, False], 'by_indices': [True, False, False]}
    """
    rows = np.asarray(list(rows), dtype=np.int64)
    label = np.full(len(rows), "honest", dtype=object)
    t = truth[truth["primary"].astype(bool) & (truth["kind"] != "item_nonresponse")]
    label[t["position"].to_numpy(dtype=np.int64)] = t["kind"].to_numpy()
    ex = exclusions if "action" not in exclusions.columns else exclusions[exclusions["action"] == "excluded"]
    excluded = np.zeros(len(rows), dtype=bool)
    pos = pd.Index(rows).get_indexer(ex["row"].to_numpy(dtype=np.int64))
    excluded[pos[pos >= 0]] = True
    by_indices = np.zeros(len(rows), dtype=bool)
    if "basis" in ex.columns:
        careless = (ex["basis"].fillna("") != "screening rule").to_numpy()
        by_indices[pos[(pos >= 0) & careless]] = True
    return pd.DataFrame({"label": label, "excluded": excluded, "by_indices": by_indices})


def simulator_sample(n: int, seed: int, instrument: Instrument | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The package's simulator with the default contamination and style strengths drawn for ``seed``."""
    sim = simulate(n, seed=seed, instrument=instrument, styles=StyleStrengths.drawn(seed))
    return sim.frame, sim.truth


#: rates of the simulator's opt-in kinds in the varied generator (proportions of the honest respondents, on top
#: of the default contamination).  Careless rows: the default 9 % of N (speeder .03, straightliner .02, random .02,
#: pattern .01, partial .01) + these 8 % = 17 % of N, about 13 % of all rows (N x 1.268): Meade & Craig (2012,
#: Psychological Methods 17, 437-455) found 10-12 % careless respondents.  Honest styles: the default 24 % + these
#: 26 % = 50 % of the honest respondents with a style, a few per cent each; Baumgartner & Steenkamp (2001, Journal
#: of Marketing Research 38, 143-156) find acquiescence, disacquiescence, extreme, midpoint and narrow-range
#: ("response range") styles in every one of their eleven national samples; extreme responding comes twice, as the simulator's
#: default (the outer categories widened: an answer never leaves its side) and as threshold scaling (Jin & Wang 2014,
#: ``extreme_scaled``: a middle answer may leave the middle).  The shares of each style, of slow readers, high-trait
#: and skipping respondents are a judgement of this package, not a published prevalence.
VARIED_RATES = {"random_marginal": 0.015, "mild_random": 0.015, "partial_late": 0.01, "speeder_straight": 0.01,
                "narrow": 0.05, "slow_careful": 0.04, "high_trait": 0.04, "skipped_items": 0.05, "extreme_scaled": 0.04,
                "page_line": 0.01, "keyed_line": 0.01, "disacquiescent": 0.04, "near_copy": 0.01}


def varied_sample(n: int, seed: int, instrument: Instrument | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The simulator with its opt-in careless kinds and honest styles on (:data:`VARIED_RATES`), strengths drawn for
    ``seed`` (:meth:`~iur_survey.simulate.contamination.StyleStrengths.drawn`), as respondents as varied as an outside
    tester's.

    >>> frame, truth = varied_sample(200, seed=1)
    >>> sorted(set(truth["kind"]) & {"random_marginal", "mild_random", "partial_late", "speeder_straight", "narrow"})
    ['mild_random', 'narrow', 'partial_late', 'random_marginal', 'speeder_straight']
    >>> sorted(set(truth["kind"]) & {"page_line", "keyed_line", "disacquiescent"})
    ['disacquiescent', 'keyed_line', 'page_line']
    """
    sim = simulate(n, seed=seed, instrument=instrument, contamination=Contamination.from_dict(VARIED_RATES),
                   styles=StyleStrengths.drawn(seed))
    return sim.frame, sim.truth


def plain_sample(n: int, seed: int, instrument: Instrument | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The simulator as it was before response styles: no styles, no patterned or partly careless cases."""
    cont = dataclasses.replace(Contamination(), pattern=0.0, partial=0.0, **{k: 0.0 for k in SIMULATOR_STYLES})
    sim = simulate(n, seed=seed, instrument=instrument, contamination=cont)
    return sim.frame, sim.truth


def grm_sample(n: int, seed: int, instrument: Instrument | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The independent graded-response-model generator of ``tests/clean/grm_generator.py`` (source checkout)."""
    return _tests_module("grm_generator").generate(n, seed, instrument=instrument)


def _tests_module(name: str):
    path = Path(__file__).resolve().parents[2] / "tests" / "clean" / f"{name}.py"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: this evaluation generator lives in the source checkout's tests")
    if f"_iur_{name}" in sys.modules:
        return sys.modules[f"_iur_{name}"]
    spec = importlib.util.spec_from_file_location(f"_iur_{name}", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod        # dataclasses look their module up while it is executed
    spec.loader.exec_module(mod)
    return mod


def real_sample(n: int, seed: int, instrument: Instrument | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Real honest respondents (rows of psych's ``bfi``) with injected careless cases: ``tests/clean/real_generator.py``.

    ``instrument`` must be the pool's own (:func:`generator_instrument` ``("real")``).
    """
    return _tests_module("real_generator").generate(n, seed, instrument=instrument)


def mixed_sample(n: int, seed: int, instrument: Instrument | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Respondents on each item's own scale (``tests/clean/mixed_generator.py``): honest ones in five response styles,
    careless ones random, straight-lining, in patterns or partly careless (``partial_pattern``: a careful start,
    then a zig-zag or a seesaw), on an instrument whose items have scales of their own (default: the study's items,
    TAL on 1-4, COL on 1-7, INT on 0-10), or the same people on one scale."""
    return _tests_module("mixed_generator").generate(n, seed, instrument=instrument)


def foreign_sample(n: int, seed: int, instrument: Instrument | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A third generator, foreign to both (``tests/clean/foreign_generator.py``): a rounded factor model with roles
    whose means and structure differ and strong response styles acting on the raw answers."""
    return _tests_module("foreign_generator").generate(n, seed, instrument=instrument)


GENERATORS: dict[str, Callable[..., tuple[pd.DataFrame, pd.DataFrame]]] = {
    "simulator": simulator_sample, "grm": grm_sample, "style-free": plain_sample, "real": real_sample,
    "foreign": foreign_sample, "varied": varied_sample, "mixed": mixed_sample}
#: the generators that draw each item on its own scale; the others draw every item on the top-level scale
OWN_SCALE_GENERATORS = ("mixed",)


def generator_instrument(generator: str, instrument: Instrument | None = None) -> Instrument:
    """The instrument a generator's exports are written and read with: ``instrument`` when given, else the package's,
    bfi's for ``real``, the study's items on scales of their own for ``mixed``.  An instrument whose items have
    scales of their own is refused with a generator that draws every item on the top-level scale (its answers to
    a 0-10 item would be 1-5 codes, a silent misreading), naming the generator that can.

    >>> generator_instrument("mixed").scales_text
    '1-5; TAL 1-4; COL 1-7; INT 0-10'
    >>> generator_instrument("grm", generator_instrument("mixed"))
    Traceback (most recent call last):
    ...
    iur_survey.errors.InstrumentError: mixed_generator.yaml: the grm generator draws every item on the top-level scale 1-5, and the instrument's items have scales of their own (1-5; TAL 1-4; COL 1-7; INT 0-10): evaluate it with --generator mixed
    """
    if instrument is None:
        if generator == "real":
            return _tests_module("real_generator").instrument()
        if generator == "mixed":
            return _tests_module("mixed_generator").instrument()
        return load_instrument()
    if instrument.mixed_scales and generator not in OWN_SCALE_GENERATORS:
        raise InstrumentError(instrument.path, f"the {generator} generator draws every item on the top-level scale "
                                               f"{instrument.scale.text}, and the instrument's items have scales of "
                                               f"their own ({instrument.scales_text}): evaluate it with --generator "
                                               f"{' or '.join(OWN_SCALE_GENERATORS)}")
    return instrument


def evaluate(ns: Iterable[int] = (300, 800, 3000), seeds: Iterable[int] = (1, 2, 3),
             formats: Iterable[str] = tuple(EXPORT_FORMATS), generator: str = "simulator",
             config: CleanConfig | None = None, progress: bool = False, instrument: Instrument | None = None
             ) -> pd.DataFrame:
    """Simulate, write every export format, read back, clean; one row per raw row with its outcome.

    Columns: ``n``, ``seed``, ``format``, ``label``, ``excluded``, ``role`` (the group column as read).
    :func:`tables` and :func:`role_table` pool them.  ``instrument``: the instrument to simulate, write and clean
    (default :func:`generator_instrument`'s); one whose items have scales of their own only with the ``mixed``
    generator.
    """
    from ..simulate.writers import write_export

    inst = generator_instrument(generator, instrument)
    out = []
    with tempfile.TemporaryDirectory() as d:
        for n in ns:
            for seed in seeds:
                frame, truth = GENERATORS[generator](n, seed, inst)
                for fmt in formats:
                    t0 = time.perf_counter()
                    path = write_export(frame, inst, fmt, Path(d) / f"x_{n}_{seed}_{fmt}{EXPORT_FORMATS[fmt]}")
                    raw = _read(path, inst)
                    res = clean(raw, inst, config)
                    o = outcomes(truth, res.exclusions, raw.frame["_row"])
                    o["role"] = raw.frame[inst.group_column].to_numpy() if inst.group_column in raw.frame else None
                    o.insert(0, "format", fmt)
                    o.insert(0, "seed", seed)
                    o.insert(0, "n", n)
                    out.append(o)
                    if progress:
                        print(f"  {generator} n={n} seed={seed} {fmt}: {len(raw.frame)} rows, "
                              f"{time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
    return pd.concat(out, ignore_index=True)


#: statistics :func:`separability` measures on the responses the cleaning kept (larger = more careless)
SEPARABILITY_STATS = {
    "person_total": "-person-total r, all items",
    "person_total_h2": "-person-total r, second half",
    "crv_h2": "within-construct residual variance, second half / sample median",
    "change": "log(residual variance second half / first half)",
    "guttman": "normed Guttman errors G^p_N",
    "ipsatized": "Mahalanobis D² of the ipsatized answers (each person's own mean and SD removed)",
    "quotient": "Rayleigh quotient of D², z' R^-1 z / z' z (keyed answers)",
    "quotient_ips": "Rayleigh quotient of D², each person's own mean removed (questionnaire direction)",
    "quotient_h2": "Rayleigh quotient of D², second half (keyed)",
    "quotient_t3": "Rayleigh quotient of D², last third (keyed)",
    "quotient_change": "log(Rayleigh quotient second half / first half), keyed",
    "composite": "mean robust z of -psychsyn, psychant, -split-half, -person-total, log residual variance",
}


def _robust_z(v: np.ndarray) -> np.ndarray:
    v = np.where(np.isnan(v), np.nanmedian(v), v)
    med = np.median(v)
    mad = 1.4826 * np.median(np.abs(v - med))
    return (v - med) / (mad if mad > 0 else 1.0)


def kept_statistics(x: np.ndarray, instrument: Instrument) -> pd.DataFrame:
    """The :data:`SEPARABILITY_STATS` of every kept response (``x``: clean.csv's items, reverse-scored)."""
    items = list(instrument.item_codes)
    cons = list(instrument.constructs)
    lab = np.array([cons.index(instrument.items[c].construct) for c in items])
    rev = np.isin(items, list(instrument.reverse_items))
    h = len(items) // 2
    mu = np.nanmean(x, axis=0)
    crv1 = ix.construct_residual_var(x[:, :h], lab[:h], mu[:h])
    crv2 = ix.construct_residual_var(x[:, h:], lab[h:], mu[h:])
    crv = ix.construct_residual_var(x, lab, mu)
    raw = x.copy()
    raw[:, rev] = instrument.scale_min + instrument.scale_max - raw[:, rev]
    same = lab[:, None] == lab[None, :]
    syn = ix.psychsyn(x, pairs=ix.item_pairs(x, 0.2, allowed=same & ~rev[:, None] & ~rev[None, :]))
    ant = ix.psychant(raw, pairs=ix.item_pairs(raw, 0.2, anto=True, allowed=same))
    sizes = [int((lab == c).sum()) for c in range(len(cons))]
    sh = ix.split_half(x, [k for k in sizes if k])
    pt = ix.person_total(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = pd.DataFrame({
            "person_total": -pt,
            "person_total_h2": -ix.person_total(x[:, h:]),
            "crv_h2": crv2 / np.nanmedian(crv2),
            "change": np.log((crv2 + 0.05) / (crv1 + 0.05)),
            "guttman": ix.guttman_normed(x, instrument.scale_min, instrument.scale_max),
            "ipsatized": ix.mahad_ipsatized(raw)[0],
            "quotient": ix.mahad_quotient(x),
            "quotient_ips": ix.mahad_quotient(raw, ipsatized=True),
            "quotient_h2": ix.mahad_quotient(x[:, h:]),
            "quotient_t3": ix.mahad_quotient(x[:, len(items) - len(items) // 3:]),
            "quotient_change": np.log(ix.mahad_quotient(x[:, h:]) / ix.mahad_quotient(x[:, :h])),
        })
        out["composite"] = np.mean([_robust_z(-syn), _robust_z(ant), _robust_z(-sh), _robust_z(-pt),
                                    _robust_z(np.log(crv + 0.05))], axis=0)
    return out


def separability(generator: str = "simulator", ns: Iterable[int] = (800, 3000), seeds: Iterable[int] = (1, 2, 3),
                 kinds: Iterable[str] = ("random", "partial", "speeder"), fprs: Iterable[float] = (0.01, 0.03)
                 ) -> pd.DataFrame:
    """Could one more index catch the careless responses the cleaning keeps, at what cost to honest ones?

    For every sample (csv export, default configuration) the :data:`SEPARABILITY_STATS`
    are computed on the kept responses; a cut-off is put at the (1 - ``fpr``) quantile of
    the kept honest respondents (all styles pooled, which only an evaluation can do) and
    the table reports, pooled over the samples: the share of the kept careless responses
    of each kind beyond it (``kept <kind>``), the worst style's share beyond it
    (``worst style``), and the full-sample recall and honest exclusion rate if the
    statistic were (a) one more evidence group (``+group``: excluded with one other group)
    or (b) an exclusion alone (``alone``).  Baseline rows: the default decision.
    """
    from ..simulate.writers import write_export

    inst = generator_instrument(generator)
    if inst.mixed_scales:       # the statistics read every item on the top-level scale
        raise InstrumentError(inst.path, f"separability reads every item on the top-level scale; the {generator} "
                                         f"generator's items have scales of their own ({inst.scales_text})")
    items = list(inst.item_codes)
    kinds = list(kinds)
    kept, totals = [], []
    with tempfile.TemporaryDirectory() as d:
        for n in ns:
            for seed in seeds:
                frame, truth = GENERATORS[generator](n, seed, inst)
                path = write_export(frame, inst, "csv", Path(d) / f"s_{n}_{seed}.csv")
                raw = _read(path, inst)
                res = clean(raw, inst)
                o = outcomes(truth, res.exclusions, raw.frame["_row"])
                totals.append(o)
                label = pd.Series(o["label"].to_numpy(), index=raw.frame["_row"].to_numpy())
                st = kept_statistics(res.clean[items].to_numpy(dtype=float), inst)
                st["label"] = label.loc[res.flags["row"].to_numpy()].to_numpy()
                st["n_evidence"] = res.flags["n_evidence"].to_numpy()
                st["sample"] = f"{n}/{seed}"
                kept.append(st)
    kept_all = pd.concat(kept, ignore_index=True)
    tot = pd.concat(totals, ignore_index=True)
    honest = ["honest", *STYLE_KINDS]
    base_ex = tot.groupby("label")["excluded"].sum()
    count = tot.groupby("label").size()

    def rates(extra: pd.Series) -> dict[str, float]:
        ex = base_ex.add(extra.groupby(kept_all["label"]).sum(), fill_value=0)
        out = {f"recall {k}": ex.get(k, 0) / count[k] for k in kinds if k in count}
        hon = [s for s in honest if s in count]
        out["honest excluded"] = sum(ex.get(s, 0) for s in hon) / sum(count[s] for s in hon)
        out["worst style excluded"] = max(ex.get(s, 0) / count[s] for s in hon)
        return out

    rows = [{"statistic": "(default decision)", "fpr": np.nan, **rates(pd.Series(0, index=kept_all.index))}]
    is_h = kept_all["label"].isin(honest)
    for stat in SEPARABILITY_STATS:
        for fpr in fprs:
            beyond = np.zeros(len(kept_all), dtype=bool)
            for _, g in kept_all.groupby("sample"):
                cut = g.loc[is_h[g.index], stat].quantile(1 - fpr)
                beyond[g.index] = g[stat].to_numpy() > cut
            b = pd.Series(beyond, index=kept_all.index)
            row = {"statistic": stat, "fpr": fpr}
            for k in kinds:
                sel = kept_all["label"] == k
                row[f"kept {k}"] = b[sel].mean() if sel.any() else np.nan
            row["worst style"] = max(b[kept_all["label"] == s].mean() for s in honest
                                     if (kept_all["label"] == s).any())
            plus = b & (kept_all["n_evidence"] >= 1)
            rows.append({**row, "use": "+group", **rates(plus.astype(int))})
            rows.append({**row, "use": "alone", **rates(b.astype(int))})
    return pd.DataFrame(rows)


def tables(results: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two tables from :func:`evaluate`: recall by careless kind, and honest exclusion by style, per N.

    Each cell is the share excluded (pooled over seeds and formats: a case counts once per
    export format) with the number of cases in brackets; the last rows pool the careless kinds
    / all honest respondents.  "by the indices alone": the share of the careless kinds excluded by
    the careless-responding indices, not by a screening rule (most random responders also fail
    the attention check, which excludes them before the indices see them).

    >>> r = pd.DataFrame({"n": 300, "label": ["random", "random", "honest", "extreme"],
    ...                   "excluded": [True, False, False, True]})
    >>> rec, hon = tables(r)
    >>> rec.loc["random", 300], hon.loc["extreme", 300], hon.loc["all honest", 300]
    ('0.500 (2)', '1.000 (1)', '0.500 (2)')
    """
    def cell(g):
        return f"{g.mean():.3f} ({len(g)})"

    honest_labels = ("honest",) + STYLE_KINDS
    careless = results[results["label"].isin(CARELESS_KINDS)]
    other_bad = results[~results["label"].isin(honest_labels + CARELESS_KINDS)]
    honest = results[results["label"].isin(honest_labels)]
    rec = careless.pivot_table(index="label", columns="n", values="excluded", aggfunc=cell)
    rec = rec.reindex([k for k in CARELESS_KINDS if k in rec.index])
    rec.loc["all careless"] = careless.groupby("n")["excluded"].apply(cell)
    if "by_indices" in careless.columns:      # the same, counting only exclusions by the careless-responding indices
        rec.loc["  by the indices alone"] = careless.groupby("n")["by_indices"].apply(cell)
    if len(other_bad):
        rec.loc["screening kinds"] = other_bad.groupby("n")["excluded"].apply(cell)
    hon = honest.pivot_table(index="label", columns="n", values="excluded", aggfunc=cell)
    hon = hon.reindex([k for k in honest_labels if k in hon.index])
    hon.loc["all honest"] = honest.groupby("n")["excluded"].apply(cell)
    bad = results[~results["label"].isin(honest_labels)]
    flagged = results[results["excluded"]]
    prec = flagged.groupby("n")["label"].apply(lambda s: f"{(~s.isin(honest_labels)).mean():.3f} ({len(s)})")
    rec.loc["precision (all exclusions)"] = prec
    rec.columns.name = hon.columns.name = "N"
    rec.index.name, hon.index.name = "careless kind: recall", "honest style: excluded"
    del bad
    return rec, hon


def role_table(results: pd.DataFrame) -> pd.DataFrame:
    """Honest respondents excluded per role (group) and N, pooled over seeds and formats, as :func:`tables`' cells.

    The study compares the roles, so an exclusion rate that differs by role biases the comparison.

    >>> r = pd.DataFrame({"n": 300, "label": ["honest", "extreme", "random", "honest"],
    ...                   "role": ["university", "university", "government", "government"],
    ...                   "excluded": [False, True, True, False]})
    >>> role_table(r).loc[["government", "university"], 300].tolist()
    ['0.000 (1)', '0.500 (2)']
    """
    honest = results[results["label"].isin(("honest",) + STYLE_KINDS) & results["role"].notna()]
    out = honest.pivot_table(index="role", columns="n", values="excluded",
                             aggfunc=lambda g: f"{g.mean():.3f} ({len(g)})")
    out.columns.name, out.index.name = "N", "honest by role: excluded"
    return out


def _screened_outcomes(generator: str, n: int, seed: int, fmt: str, config: CleanConfig | None = None
                       ) -> pd.DataFrame:
    """:func:`outcomes` of one sample with ``screened``: excluded by a stage-1 screening rule (attention check, ...)."""
    from ..simulate.writers import write_export

    inst = generator_instrument(generator)
    frame, truth = GENERATORS[generator](n, seed, inst)
    with tempfile.TemporaryDirectory() as d:
        path = write_export(frame, inst, fmt, Path(d) / f"b_{n}_{seed}{EXPORT_FORMATS[fmt]}")
        raw = _read(path, inst)
        res = clean(raw, inst, config)
    o = outcomes(truth, res.exclusions, raw.frame["_row"])
    ex = res.exclusions
    if "action" in ex.columns:
        ex = ex[ex["action"] == "excluded"]
    o["screened"] = raw.frame["_row"].isin(ex.loc[ex["rule"].isin(SCREENING_RULES), "row"]).to_numpy()
    return o


def _honest_codes(generator: str, n: int, seed: int, inst: Instrument) -> np.ndarray:
    """The honest respondents (with their response styles) of one generator sample: 0-based scored codes.

    Rows with item nonresponse are left out (the bound's likelihood needs every answer).
    """
    frame, truth = GENERATORS[generator](n, seed, inst)
    labels = outcomes(truth, pd.DataFrame({"row": pd.Series(dtype=np.int64), "rule": pd.Series(dtype=object)}),
                      frame["_row"])["label"]
    x = frame.loc[labels.isin(("honest",) + STYLE_KINDS).to_numpy(), list(inst.item_codes)].to_numpy(dtype=float)
    x = x[~np.isnan(x).any(axis=1)]
    rev = np.isin(list(inst.item_codes), list(inst.reverse_items))
    x[:, rev] = inst.scale_min + inst.scale_max - x[:, rev]
    return (x - inst.scale_min).astype(np.int64)


#: items answered at random at the end in the bound's partial rows, per generator: the longest, middle and
#: shortest tail of the generator's partly careless cases (the simulator's count items after its question
#: order, where the attention check sits in the middle)
BOUND_TAILS = {"simulator": (16, 14, 12), "style-free": (16, 14, 12), "grm": (14, 12, 10), "real": (13, 8, 4)}
#: careless kind of the bound -> the generator's truth kind measured beside it
BOUND_MEASURED = {"random_uniform": "random", "random_marginal": "random", "random_shares": "random",
                  "partial_uniform": "partial", "hasty_answers": "speeder"}


def bound_table(generator: str = "simulator", n: int = 3000, seed: int = 1, fmt: str = "csv",
                alphas: Iterable[float] = oracle.ALPHAS, n_model: int = 20_000, nodes: int = 32,
                config: CleanConfig | None = None) -> pd.DataFrame:
    """The Neyman-Pearson bound on recall (:mod:`iur_survey.clean.oracle`) beside the default cleaning's recall.

    Per careless kind of the bound (and tail length, :data:`BOUND_TAILS`): the most any
    per-person statistic of the item answers can catch at each honest exclusion rate in
    ``alphas`` (``bound <alpha>``) -- for the simulator (and ``style-free``) and ``grm`` the
    oracle that knows the generator's true model of style-free honest respondents
    (:func:`~iur_survey.clean.oracle.ordinal_bound`, ``n_model`` draws per kind);
    ``styled bound <alpha>``: the oracle that also knows the generator's response styles
    (the honest population is the mixture of the unstyled and the styled respondents,
    each style with its strength distribution; simulator and grm); ``styled cut 1.0%``: the
    style-free statistic with its cut-off set on the generator's honest respondents WITH
    their styles (not a bound: what ignoring the styles costs); for
    ``real`` the Gaussian-copula approximation calibrated on bfi's people
    (:func:`~iur_survey.clean.oracle.copula_bound`) -- and the default cleaning's measured
    recall of the generator's matching truth kind (:data:`BOUND_MEASURED`) on one sample
    (``n``, ``seed``, one export format: ``measured``, with the number of cases), the same
    among the cases no screening rule excluded (``measured past screening``: a random
    responder who failed the attention check was caught by something the bound does not
    see) and the honest exclusion rate (``honest excluded``).  The measured columns pool
    the generator's variants of the kind (the grm generator's random answers are uniform or
    drawn from fixed shares, ``random_shares``, not the items' marginals; partial tails of every length, and
    for the simulator also one-code and patterned tails), and the index stage also uses
    durations (``speeder``), which the bound does not.  For the simulator (and ``style-free``)
    also ``hasty_answers``: its speeders' answers (the honest model with the loadings times
    :data:`~iur_survey.simulate.respondents.SPEEDER_SIGNAL`), measured beside its speeders, whose
    durations the cleaning sees: what their answers alone can give away.  ``config``: the cleaning measured
    (default configuration if None).

    >>> tab = bound_table("real", n=300, seed=1, alphas=(0.01,))
    >>> tab[["kind", "tail", "measured kind"]].values.tolist()[:3]
    [['random_uniform', 25, 'random'], ['random_marginal', 25, 'random'], ['partial_uniform', 13, 'partial']]
    >>> bool(tab["bound 1.0%"].between(0, 1).all())
    True
    """
    inst = generator_instrument(generator)
    tails = BOUND_TAILS[generator]
    alphas = tuple(alphas)
    if generator == "real":
        x_pool = _tests_module("real_generator").pool(inst)[0]
        lo, hi = int(inst.scale_min), int(inst.scale_max)
        tab = oracle.copula_bound(x_pool.astype(int) - lo, hi - lo + 1, tails, alphas, seed=seed)
    else:
        shares = mixture = None
        if generator == "grm":
            gen = _tests_module("grm_generator")
            par = gen.parameters(seed, instrument=inst)
            model = oracle.grm_model(par["a"], par["b"], par["r"], par["item_trait"])
            mixture = oracle.grm_model(par["a"], par["b"], par["r"], par["item_trait"], styles=gen.styles(),
                                       reverse=par["reverse"])
            raw = np.array(gen.RANDOM_SHARES)
            shares = np.where(par["reverse"][:, None], raw[::-1][None, :], raw[None, :])   # scored direction
        hasty = None
        if generator != "grm":      # the simulator's speeders: its honest model with weaker loadings
            model = oracle.simulator_model(inst)
            hasty = {"hasty_answers": oracle.simulator_model(inst, signal=SPEEDER_SIGNAL)}
            if generator == "simulator":
                mixture = oracle.simulator_model(inst, styles=StyleStrengths.drawn(seed))
        tab = oracle.ordinal_bound(model, tails, alphas, n=n_model, nodes=nodes, seed=seed, shares=shares,
                                   calibrate={"styled cut": _honest_codes(generator, n_model, seed, inst)},
                                   careless_models=hasty)
        if mixture is not None:
            styled = oracle.ordinal_bound(mixture, tails, alphas, n=n_model, nodes=nodes, seed=seed, shares=shares,
                                          careless_models=hasty)
            tab = pd.concat([tab, styled.assign(honest="styled bound")], ignore_index=True)
    res = _screened_outcomes(generator, n, seed, fmt, config)
    honest = res["label"].isin(("honest",) + STYLE_KINDS)
    if "honest" not in tab.columns:
        tab["honest"] = "model"
    out = tab.pivot_table(index=["kind", "tail"], columns=["honest", "alpha"], values="power", sort=False)
    out.columns = [f"{'bound' if h == 'model' else h} {a:.1%}" for h, a in out.columns]
    out = out[[c for c in out.columns if not c.startswith("styled cut")]
              + [c for c in out.columns if c.startswith("styled cut") and c.endswith(f" {0.01:.1%}")]]
    kinds = [BOUND_MEASURED[k] for k, _ in out.index]

    def rate(sel):
        return f"{res.loc[sel, 'excluded'].mean():.3f} ({int(sel.sum())})"

    out["measured"] = [rate(res["label"] == k) for k in kinds]
    out["measured past screening"] = [rate((res["label"] == k) & ~res["screened"]) for k in kinds]
    out["measured kind"] = kinds
    out["honest excluded"] = f"{res.loc[honest, 'excluded'].mean():.4f} ({int(honest.sum())})"
    return out.reset_index()


def main(argv: list[str] | None = None) -> int:
    """``python -m iur_survey.clean.evaluate [--quick] [--generator simulator|grm|both]``: print the two tables."""
    ap = argparse.ArgumentParser(prog="python -m iur_survey.clean.evaluate",
                                 description="recall by careless kind and honest exclusion by response style, "
                                             "over seeds, sample sizes and export formats")
    ap.add_argument("--n", type=int, nargs="+", default=[300, 800, 3000])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--formats", nargs="+", default=list(EXPORT_FORMATS), choices=list(EXPORT_FORMATS))
    ap.add_argument("--generator", default="both",
                    choices=["simulator", "grm", "style-free", "real", "foreign", "varied", "mixed", "both", "all"],
                    help="both: simulator and grm; all: also the style-free simulator, real (bfi's people), "
                         "foreign (tests/clean/foreign_generator.py) and varied (the simulator with its opt-in "
                         "careless kinds and honest styles on, VARIED_RATES); mixed: items on scales of their own "
                         "(tests/clean/mixed_generator.py; not in all)")
    ap.add_argument("--instrument", default=None, metavar="FILE",
                    help="simulate, write and clean this instrument instead of the generator's own; one whose items "
                         "have scales of their own only with --generator mixed")
    ap.add_argument("--quick", action="store_true", help="N 300 and 800, one seed, csv and qualtrics only")
    ap.add_argument("--progress", action="store_true")
    ap.add_argument("--add-rule", nargs="+", default=[], choices=list(INDEX_RULES), metavar="RULE",
                    help="run these index rules besides the default ones (e.g. mahalanobis_ipsatized)")
    ap.add_argument("--config", default=None, metavar="FILE",
                    help="clean with this cleaning configuration (YAML, as `iur-survey clean --config`) instead "
                         "of the default one, e.g. to compare a decision setting")
    ap.add_argument("--separability", action="store_true",
                    help="instead: how far other statistics separate the careless responses the cleaning keeps "
                         "from honest ones (N 800 and 3000, csv; see separability())")
    ap.add_argument("--bound", action="store_true",
                    help="instead: the Neyman-Pearson bound on recall of random and partly random answers at "
                         "honest exclusion 0.5/1/1.5 %% beside the default cleaning's recall (N 3000 unless --n, "
                         "first seed, csv; see bound_table())")
    args = ap.parse_args(argv)
    if args.instrument and (args.bound or args.separability):
        ap.error("--instrument applies to the recall tables, not to --bound or --separability")
    if args.quick:
        args.n, args.seeds, args.formats = [300, 800], [1], ["csv", "qualtrics"]
    gens = {"both": ["simulator", "grm"], "all": ["simulator", "grm", "style-free", "real", "foreign", "varied"]
            }.get(args.generator, [args.generator])
    config = CleanConfig.from_file(args.config) if args.config else None
    if args.add_rule:
        base = config or CleanConfig()
        config = dataclasses.replace(base, rules=base.rules + tuple(args.add_rule))
    if args.bound:
        n = args.n[-1] if args.n != [300, 800, 3000] else 3000
        with pd.option_context("display.width", 250, "display.max_columns", 30, "display.precision", 3):
            for gen in [g for g in gens if g in BOUND_TAILS]:     # the foreign generator has no true model here
                t0 = time.perf_counter()
                tab = bound_table(gen, n, args.seeds[0], config=config)
                what = ("Gaussian-copula APPROXIMATION, calibrated on bfi's people" if gen == "real" else
                        "oracle: the generator's true model; bound: style-free honest respondents"
                        + ("" if gen == "style-free" else ", styled bound: with the generator's response styles"))
                cleaning = (f"cleaning of {args.config}" if args.config else "default cleaning") + \
                    (f" + {', '.join(args.add_rule)}" if args.add_rule else "")
                print(f"\n== bound, generator: {gen} ({what}); measured: {cleaning}, N {n}, seed "
                      f"{args.seeds[0]}, csv ({time.perf_counter() - t0:.0f} s)")
                print(tab.to_string(index=False))
        return 0
    if args.separability:
        with pd.option_context("display.width", 250, "display.max_columns", 30, "display.precision", 3):
            for gen in gens:
                ns = [n for n in args.n if n >= 800] or args.n
                print(f"\n== separability, generator: {gen}; N {ns}; seeds {args.seeds}; csv")
                print(separability(gen, ns, args.seeds).to_string(index=False))
        return 0
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        for gen in gens:
            t0 = time.perf_counter()
            try:
                res = evaluate(args.n, args.seeds, args.formats, gen, config=config, progress=args.progress,
                               instrument=load_instrument(args.instrument) if args.instrument else None)
            except IURSurveyError as e:
                print(f"error: {e}", file=sys.stderr)
                return 2
            rec, hon = tables(res)
            extra = (f"; added rules {', '.join(args.add_rule)}" if args.add_rule else "") + \
                (f"; configuration {args.config}" if args.config else "")
            print(f"\n== generator: {gen}{extra}; seeds {args.seeds}; formats {', '.join(pd.unique(res['format']))} "
                  f"({time.perf_counter() - t0:.0f} s)")
            print(rec.to_string())
            print()
            print(hon.to_string())
            roles = role_table(res)
            if len(roles):
                print()
                print(roles.to_string())
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
