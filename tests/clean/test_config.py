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
    # every rule but person_fit (reported only) and mahalanobis_ipsatized (an opt-in group)
    assert CleanConfig().rules == tuple(r for r in RULE_ORDER if r not in ("person_fit", "mahalanobis_ipsatized"))
    assert "person_fit" in CleanConfig.from_dict({"rules": list(RULE_ORDER)}).rules
    assert CleanConfig(rules=["irv", "status"]).rules == ("status", "irv")


def test_beside_groups_are_configurable_and_checked():
    assert dict(CleanConfig().decision_beside) == {"structure": ("speed",), "direction": ("speed", "size"),
                                                   "inconsistency": ("speed", "likelihood")}
    cfg = CleanConfig.from_dict({"decision": {"beside": {}}})
    assert cfg.decision_beside == () and cfg.to_dict()["decision"]["beside"] == {}
    cfg = CleanConfig.from_dict({"decision": {"beside": {"structure": "speed"}}})
    assert cfg.decision_beside == (("structure", ("speed",)),)
    assert CleanConfig.from_dict(cfg.to_dict()) == cfg                                     # round trip
    with pytest.raises(IURSurveyError, match="beside: unknown evidence group.*mahalanobis_quotient"):
        CleanConfig.from_dict({"decision": {"beside": {"mahalanobis_quotient": ["speed"]}}})  # a rule, not a group
    with pytest.raises(IURSurveyError, match="needs partner groups other than itself"):
        CleanConfig(decision_beside={"speed": ["speed"]})
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
    assert cfg.to_dict()["speeder"] == {"fraction": 0.25, "seconds_per_item": 2.0, "far_fraction": 0.15}


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
    assert cfg.params("random_likelihood") == {"alpha": 0.005, "far_alpha": 0.001, "tails": False, "min_tail": 6}
    with pytest.raises(IURSurveyError, match="random_likelihood_min_tail: expected a positive whole number"):
        CleanConfig.from_dict({"random_likelihood": {"min_tail": 0}})
