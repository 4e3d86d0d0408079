"""CleanConfig: defaults in step with the rules, files, validation."""

from __future__ import annotations

import dataclasses
import json

import pytest

from iur_survey.clean.config import CleanConfig, rule_parameters
from iur_survey.clean.rules import RULE_ORDER, RULES
from iur_survey.errors import IURSurveyError


def test_every_rule_parameter_has_a_config_field_with_the_same_default():
    cfg = CleanConfig()
    names = {f.name for f in dataclasses.fields(CleanConfig)} - {"rules", "source"}
    names = {n for n in names if not n.startswith("decision_")}  # the decision's, not a rule's
    expected = set()
    for rule in RULES:
        for pname, default in rule_parameters(rule).items():
            field = f"{rule}_{pname}"
            expected.add(field)
            value = getattr(cfg, field)
            assert (list(value) if isinstance(value, tuple) else value) == \
                (list(default) if isinstance(default, tuple) else default), field
    assert names == expected  # no stray field that no rule reads


def test_defaults_run_every_rule_in_pipeline_order():
    # every rule but person_fit (reported only), mahalanobis_ipsatized and mixture_likelihood (opt-in)
    assert CleanConfig().rules == tuple(r for r in RULE_ORDER if r not in ("person_fit", "mahalanobis_ipsatized",
                                                                         "mixture_likelihood"))
    assert "person_fit" in CleanConfig.from_dict({"rules": list(RULE_ORDER)}).rules
    assert CleanConfig(rules=["irv", "status"]).rules == ("status", "irv")


def test_beside_groups_are_configurable_and_checked():
    assert dict(CleanConfig().decision_beside) == {"structure": ("speed",), "direction": ("speed",),
                                                   "inconsistency": ("speed", "random_likelihood",
                                                                     "mixture_likelihood"),
                                                   "size": ("speed", "invariance", "profile", "structure",
                                                            "inconsistency")}
    cfg = CleanConfig.from_dict({"decision": {"beside": {}}})
    assert cfg.decision_beside == () and cfg.to_dict()["decision"]["beside"] == {}
    cfg = CleanConfig.from_dict({"decision": {"beside": {"structure": "speed"}}})
    assert cfg.decision_beside == (("structure", ("speed",)),)
    assert CleanConfig.from_dict(cfg.to_dict()) == cfg                                     # round trip
    with pytest.raises(IURSurveyError, match="beside: unknown evidence group.*mahalanobis_quotient"):
        CleanConfig.from_dict({"decision": {"beside": {"mahalanobis_quotient": ["speed"]}}})  # a rule, not a group
    with pytest.raises(IURSurveyError, match="needs partner groups other than itself"):
        CleanConfig(decision_beside={"speed": ["speed"]})
    with pytest.raises(IURSurveyError, match="needs partner groups other than itself"):
        CleanConfig(decision_beside={"speed": ["speeder"]})                               # a rule of its own group
    with pytest.raises(IURSurveyError, match="unknown evidence group.*randm_likelihood"):
        CleanConfig(decision_beside={"inconsistency": ["randm_likelihood"]})
    cfg = CleanConfig.from_dict({"decision": {"beside": {"inconsistency": ["speed", "likelihood"]}}})
    assert cfg.decision_beside == (("inconsistency", ("speed", "likelihood")),)          # the previous default
    with pytest.raises(IURSurveyError, match="expected a mapping"):
        CleanConfig.from_dict({"decision": {"beside": ["structure"]}})
    with pytest.raises(IURSurveyError, match=r"speed_only is now beside.*beside: \{structure: \[speed\]\}"):
        CleanConfig.from_dict({"decision": {"speed_only": []}})


def test_yaml_nested_and_flat(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text("disable: [even_odd, irv]\nspeeder:\n  fraction: 0.25\nmahalanobis_alpha: 0.0001\n"
                 "status: {exclude: [preview, test, spam, imported]}\nlongstring: {min_run: 20}\n")
    cfg = CleanConfig.from_file(p)
    assert cfg.speeder_fraction == 0.25 and cfg.mahalanobis_alpha == 0.0001
    assert cfg.status_exclude == ("preview", "test", "spam", "imported")
    assert cfg.longstring_min_run == 20
    assert "even_odd" not in cfg.rules and "irv" not in cfg.rules and "speeder" in cfg.rules
    assert cfg.source == str(p)
    assert cfg.to_dict()["speeder"] == {"fraction": 0.25, "seconds_per_item": 1.0, "far_fraction": 0.15,
                                             "strong_fraction": None}


def test_json_round_trip(tmp_path):
    cfg = CleanConfig(speeder_fraction=0.2, rules=("status", "speeder"))
    p = tmp_path / "c.json"
    p.write_text(json.dumps(cfg.to_dict()))
    back = CleanConfig.from_file(p)
    assert back == cfg


@pytest.mark.parametrize("doc, message", [
    ({"speedr": {}}, "unknown setting 'speedr'"),
    ({"speeder": {"fractoin": 0.2}}, "speeder: unknown parameter 'fractoin'"),
    ({"speeder": {"fraction": 1.5}}, "speeder_fraction: expected a number between 0 and 1"),
    ({"speeder": {"fraction": "fast"}}, "speeder_fraction: expected a number"),
    ({"rules": ["status", "nope"]}, "unknown rule(s) nope"),
    ({"disable": ["nope"]}, "disable: unknown rule(s) nope"),
    ({"longstring": {"min_run": 2.5}}, "longstring_min_run: expected a positive whole number"),
    ({"attention": {"missing_fails": "yes"}}, "attention_missing_fails: expected true or false"),
    ({"irv_min_sd": -1}, "irv_min_sd: must not be negative"),
    ([1, 2], "must be a mapping"),
])
def test_bad_configuration_is_a_one_line_error(doc, message):
    with pytest.raises(IURSurveyError) as err:
        CleanConfig.from_dict(doc, source="c.yaml")
    assert message in str(err.value) and str(err.value).startswith("c.yaml: ")
    assert "\n" not in str(err.value)


def test_bad_yaml_file(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text("speeder: [unclosed\n")
    with pytest.raises(IURSurveyError, match="not valid YAML"):
        CleanConfig.from_file(p)


def test_decision_block():
    cfg = CleanConfig.from_dict({"decision": {"min_evidence": 3, "exclude_alone": ["mahalanobis"]}})
    assert cfg.decision_min_evidence == 3 and cfg.decision_exclude_alone == ("mahalanobis",)
    assert cfg.to_dict()["decision"]["exclude_alone"] == ["mahalanobis"]
    with pytest.raises(IURSurveyError, match="decision: unknown parameter 'min_evidance'"):
        CleanConfig.from_dict({"decision": {"min_evidance": 3}})
    with pytest.raises(IURSurveyError, match="exclude_alone: unknown rule"):
        CleanConfig.from_dict({"decision": {"exclude_alone": ["mahalanobiss"]}})


def test_the_random_tail_ratio_can_be_switched_off_and_its_shortest_tail_is_a_whole_number():
    cfg = CleanConfig.from_dict({"random_likelihood": {"tails": False, "min_tail": 6}})
    assert cfg.params("random_likelihood") == {"alpha": 0.005, "far_alpha": 0.001, "tails": False, "min_tail": 6,
                                               "change_point": False, "irtree": False, "far_styles_alpha": 0.02,
                                               "integrated": False, "far_styles_sample": False,
                                               "predictive": True, "predictive_screen": 0.95}
    assert CleanConfig.from_dict({"random_likelihood": {"far_styles_alpha": None}}).params(
        "random_likelihood")["far_styles_alpha"] is None                # null: the style-free far cut-off alone
    with pytest.raises(IURSurveyError, match="random_likelihood_far_styles_alpha: expected a number between 0 and 1"):
        CleanConfig.from_dict({"random_likelihood": {"far_styles_alpha": 1.5}})
    with pytest.raises(IURSurveyError, match="random_likelihood_change_point: expected true or false"):
        CleanConfig.from_dict({"random_likelihood": {"change_point": "yes"}})
    with pytest.raises(IURSurveyError, match="random_likelihood_irtree: expected true or false"):
        CleanConfig.from_dict({"random_likelihood": {"irtree": "yes"}})
    with pytest.raises(IURSurveyError, match="random_likelihood_integrated: expected true or false"):
        CleanConfig.from_dict({"random_likelihood": {"integrated": "yes"}})
    with pytest.raises(IURSurveyError, match="random_likelihood_far_styles_sample: expected true or false"):
        CleanConfig.from_dict({"random_likelihood": {"far_styles_sample": "yes"}})
    with pytest.raises(IURSurveyError, match="random_likelihood_min_tail: expected a positive whole number"):
        CleanConfig.from_dict({"random_likelihood": {"min_tail": 0}})


@pytest.mark.parametrize("doc, message", [
    # NaN and infinities (JSON NaN, YAML .nan / .inf) used to pass the range checks
    ({"irv": {"min_sd": float("nan")}}, "irv_min_sd: expected a finite number, got nan"),
    ({"speeder": {"seconds_per_item": float("inf")}}, "speeder_seconds_per_item: expected a finite number, got inf"),
    ({"person_total": {"min_r": float("-inf")}}, "person_total_min_r: expected a finite number, got -inf"),
    # correlation cut-offs and the synonym / antonym pair threshold
    ({"psychsyn": {"critval": 2}}, "psychsyn_critval: expected a number between 0 and 1 (exclusive), got 2"),
    ({"psychsyn": {"critval": -1}}, "psychsyn_critval: expected a number between 0 and 1 (exclusive), got -1"),
    ({"psychant": {"critval": 0}}, "psychant_critval: expected a number between 0 and 1 (exclusive), got 0"),
    ({"person_total": {"min_r": 5}}, "person_total_min_r: expected a correlation between -1 and 1 (exclusive"),
    ({"even_odd": {"min_r": 2}}, "even_odd_min_r: expected a correlation between -1 and 1 (exclusive"),
    ({"psychsyn": {"min_r": -1}}, "psychsyn_min_r: expected a correlation between -1 and 1 (exclusive"),
    ({"psychant": {"max_r": 1.0}}, "psychant_max_r: expected a correlation between -1 and 1 (exclusive"),
    # signs and ranges the rules' docstrings imply
    ({"invariant_tail": {"min_ratio": -5}}, "invariant_tail_min_ratio: must not be negative, got -5"),
    ({"person_fit": {"max_g": -3}}, "person_fit_max_g: expected normed Guttman errors from 0 to below 1, got -3"),
    ({"person_fit": {"max_g": 1}}, "person_fit_max_g: expected normed Guttman errors from 0 to below 1, got 1"),
    ({"unfinished": {"min_progress": 1000}}, "unfinished_min_progress: expected a percentage above 0 and at most 100"),
    ({"unfinished": {"min_progress": -5}}, "unfinished_min_progress: expected a percentage above 0 and at most 100"),
    ({"speeder": {"seconds_per_item": 1e308}}, "speeder_seconds_per_item: expected from 0 to 60 seconds"),
    ({"mahalanobis": {"alpha": 0}}, "mahalanobis_alpha: expected a number between 0 and 1 (exclusive), got 0"),
    # counts: at least what a run / tail / correlation needs, at most what anything could hold
    ({"longstring": {"min_run": 1}}, "longstring_min_run: expected a whole number of at least 2, got 1"),
    ({"longpattern": {"max_period": 1}}, "longpattern_max_period: expected a whole number of at least 2, got 1"),
    ({"invariant_tail": {"min_tail": 1}}, "invariant_tail_min_tail: expected a whole number of at least 2, got 1"),
    ({"even_odd": {"min_constructs": 1}}, "even_odd_min_constructs: expected a whole number of at least 2, got 1"),
    ({"mahalanobis": {"min_items": 1000}},
     "mahalanobis_min_items: expected at most 999 (there are no more items in any questionnaire), got 1000"),
    ({"irv": {"min_items": 1000}}, "irv_min_items: expected at most 999"),
    ({"invariant_tail": {"min_tail": 1000}}, "invariant_tail_min_tail: expected at most 999"),
    ({"random_likelihood": {"min_tail": 1000}}, "random_likelihood_min_tail: expected at most 999"),
    ({"longstring": {"min_run": 1000}}, "longstring_min_run: expected at most 999"),
    ({"decision": {"min_evidence": 100}},
     "decision_min_evidence: expected at most 10 (there are no more evidence groups), got 100"),
    ({"decision": {"min_inconsistency": 10}},
     "decision_min_inconsistency: expected at most 4 (there are no more inconsistency indices), got 10"),
    # a "far beyond the cut-off" threshold on the near side of its cut-off, after merging with the defaults
    ({"longstring": {"min_run": 20, "far_run": 5}},
     "longstring_far_run (5) must not be below longstring_min_run (20): far beyond the cut-off means a longer run"),
    ({"longpattern": {"min_run": 16, "far_run": 14}}, "longpattern_far_run (14) must not be below longpattern_min_run (16)"),
    ({"speeder": {"fraction": 0.2, "far_fraction": 0.9}},
     "speeder_far_fraction (0.9) must not be above speeder_fraction (0.2): far beyond the cut-off means faster still"),
    ({"speeder": {"fraction": 0.1}}, "speeder_far_fraction (0.15) must not be above speeder_fraction (0.1)"),
    ({"irv": {"far_sd": 0.5}}, "irv_far_sd (0.5) must not be above irv_min_sd (0.4): far beyond the cut-off means "
                                "less variability still"),
    ({"random_likelihood": {"far_alpha": 0.01}},
     "random_likelihood_far_alpha (0.01) must not be above random_likelihood_alpha (0.005)"),
    ({"invariant_tail": {"alpha": 0.0005}}, "invariant_tail_far_alpha (0.001) must not be above invariant_tail_alpha (0.0005)"),
    ({"invariant_tail": {"far_ratio": 2}}, "invariant_tail_far_ratio (2) must not be below invariant_tail_min_ratio (3)"),
    ({"longpattern": {"honest_alpha": 0.001, "honest_far_alpha": 0.01}},
     "longpattern_honest_far_alpha (0.01) must not be above longpattern_honest_alpha (0.001)"),
    # one setting, one value: nested and flat spellings of the same setting
    ({"speeder": {"fraction": 0.3}, "speeder_fraction": 0.9},
     "speeder_fraction is given twice (speeder: {fraction} and speeder_fraction); keep one"),
    ({"mahalanobis_alpha": 0.01, "mahalanobis": {"alpha": 0.5}},
     "mahalanobis_alpha is given twice (mahalanobis_alpha and mahalanobis: {alpha}); keep one"),
    ({"decision": {"min_evidence": 2}, "decision_min_evidence": 3}, "decision_min_evidence is given twice"),
])
def test_a_value_that_would_switch_a_rule_off_or_make_every_hit_far_is_refused(doc, message):
    with pytest.raises(IURSurveyError) as err:
        CleanConfig.from_dict(doc, source="c.yaml")
    text = str(err.value)
    assert message in text and text.startswith("c.yaml: ") and "\n" not in text


@pytest.mark.parametrize("text, message", [
    ("irv: {min_sd: .nan}\n", "irv_min_sd: expected a finite number, got nan"),
    ("irv: {min_sd: .inf}\n", "irv_min_sd: expected a finite number, got inf"),
    ("speeder: {fraction: 0.3}\nspeeder_fraction: 0.9\n", "speeder_fraction is given twice"),
    ("speeder: {fraction: 0.3, fraction: 0.2}\n", "'fraction' is given twice (lines 1 and 1); keep one"),
    ("speeder:\n  fraction: 0.3\nspeeder:\n  fraction: 0.2\n", "'speeder' is given twice (lines 1 and 3); keep one"),
])
def test_yaml_file_refusals_name_the_file(tmp_path, text, message):
    p = tmp_path / "c.yaml"
    p.write_text(text)
    with pytest.raises(IURSurveyError) as err:
        CleanConfig.from_file(p)
    assert str(err.value).startswith(f"{p}: ") and message in str(err.value) and "\n" not in str(err.value)


def test_json_nan_and_duplicate_keys_are_refused(tmp_path):
    p = tmp_path / "c.json"
    p.write_text('{"irv": {"min_sd": NaN}}')
    with pytest.raises(IURSurveyError, match="irv_min_sd: expected a finite number, got nan"):
        CleanConfig.from_file(p)
    p.write_text('{"speeder": {"fraction": 0.3}, "speeder": {"fraction": 0.9}}')
    with pytest.raises(IURSurveyError, match="'speeder' is given twice; keep one"):
        CleanConfig.from_file(p)


def test_yaml_exponent_numbers_are_numbers(tmp_path):
    # PyYAML reads 1e-1 and 1.0e1 (no dot, no exponent sign) as text: a number field takes them as numbers
    p = tmp_path / "c.yaml"
    p.write_text("person_total: {min_spread: 1e-1}\nspeeder: {seconds_per_item: 1.0e1}\n"
                 "mahalanobis: {alpha: 1E-3}\nirv_min_sd: '0.5'\n")
    cfg = CleanConfig.from_file(p)
    assert cfg.person_total_min_spread == 0.1 and cfg.speeder_seconds_per_item == 10.0
    assert cfg.mahalanobis_alpha == 0.001 and cfg.irv_min_sd == 0.5
    p.write_text("speeder: {seconds_per_item: 1e9}\n")
    with pytest.raises(IURSurveyError, match=r"speeder_seconds_per_item: expected from 0 to 60 seconds .*got 1000000000.0"):
        CleanConfig.from_file(p)
    p.write_text("speeder: {fraction: 1e}\n")                 # not a number: still the plain message
    with pytest.raises(IURSurveyError, match="speeder_fraction: expected a number, got '1e'"):
        CleanConfig.from_file(p)
    p.write_text("longstring: {min_run: 1e1}\n")             # counts stay whole numbers
    with pytest.raises(IURSurveyError, match="longstring_min_run: expected a positive whole number, got '1e1'"):
        CleanConfig.from_file(p)


def test_values_at_the_edges_and_the_existing_examples_still_work():
    cfg = CleanConfig.from_dict({"speeder": {"fraction": 0.2, "far_fraction": 0.2, "seconds_per_item": 0},
                                 "longstring": {"min_run": 20, "far_run": 20}, "irv": {"min_sd": 0.4, "far_sd": 0},
                                 "person_total": {"min_r": -0.99}, "person_fit": {"max_g": 0},
                                 "even_odd": {"min_constructs": 10}, "invariant_tail": {"min_ratio": 0},
                                 "decision": {"min_evidence": 8, "min_inconsistency": 4},
                                 "mahalanobis": {"min_items": 999}})
    assert cfg.speeder_far_fraction == cfg.speeder_fraction == 0.2 and cfg.longstring_far_run == 20
    assert CleanConfig.from_dict(cfg.to_dict()) == cfg                        # round trip
    assert CleanConfig.from_dict(CleanConfig().to_dict()) == CleanConfig()
    # only one of a pair given: its partner's default depends on the instrument, so nothing to compare
    assert CleanConfig.from_dict({"longstring": {"min_run": 25}}).longstring_far_run is None


def test_rules_and_disable_combine_in_any_order():
    a = CleanConfig.from_dict({"rules": ["status", "irv", "speeder"], "disable": ["irv"]})
    b = CleanConfig.from_dict({"disable": ["irv"], "rules": ["status", "irv", "speeder"]})
    assert a.rules == b.rules == ("status", "speeder")


def test_built_directly_is_checked_too():
    with pytest.raises(IURSurveyError, match="irv_min_sd: expected a finite number"):
        CleanConfig(irv_min_sd=float("nan"))
    with pytest.raises(IURSurveyError, match="longstring_far_run .5. must not be below longstring_min_run .20."):
        CleanConfig(longstring_min_run=20, longstring_far_run=5)
    assert dataclasses.replace(CleanConfig(), rules=("status",)).rules == ("status",)


def test_check_instrument_holds_counts_and_spreads_to_the_questionnaire():
    from iur_survey.instrument import load_instrument
    inst = load_instrument()
    CleanConfig().check_instrument(inst)
    CleanConfig(mahalanobis_min_items=28, even_odd_min_constructs=7).check_instrument(inst)
    for kw, message in [({"mahalanobis_min_items": 29}, "mahalanobis_min_items: 29 is more than the instrument's 28 "
                                                        "items: the rule would judge nobody"),
                        ({"even_odd_min_constructs": 100}, "even_odd_min_constructs: 100 is more than the "
                                                           "instrument's 7 constructs"),
                        ({"longpattern_max_period": 50}, "no pattern repeats over more answers"),
                        ({"irv_min_sd": 10, "irv_far_sd": 5}, "irv_min_sd: 10 is more than half the scale's range "
                                                              "(2)"),
                        ({"person_total_min_spread": 3.0}, "the rule would flag nobody")]:
        with pytest.raises(IURSurveyError) as err:
            CleanConfig(source="c.yaml", **kw).check_instrument(inst)
        assert str(err.value).startswith("c.yaml: ") and message in str(err.value)


def test_invariant_tail_seesaws_on_by_default_and_the_rule_before_them_restorable():
    """``invariant_tail: {seesaws: false}`` restores the walking tails without seesaws (the rule before them)."""
    assert CleanConfig().params("invariant_tail")["seesaws"] is True
    cfg = CleanConfig.from_dict({"invariant_tail": {"seesaws": False}})
    assert cfg.invariant_tail_seesaws is False and cfg.params("invariant_tail")["seesaws"] is False
    assert CleanConfig.from_dict(cfg.to_dict()) == cfg
    assert CleanConfig().params("invariant_tail")["seesaw_gap"] == 2
    with pytest.raises(IURSurveyError, match="invariant_tail_seesaw_gap: expected a positive whole number, got 0"):
        CleanConfig.from_dict({"invariant_tail": {"seesaw_gap": 0}})
