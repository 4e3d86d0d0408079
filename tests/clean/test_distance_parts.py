"""The Mahalanobis parts (whole questionnaire and halves) of ``rules._distance_parts``."""

import numpy as np


def test_a_part_whose_honest_draws_reach_its_largest_distance_flags_nobody_without_a_numpy_warning(monkeypatch):
    # real32 (a 19-row German survey, 8 items): the honest draws' D2 quantile lay beyond the largest D2 the Beta
    # law allows, its level was 0 and `p / level` printed numpy's "invalid value encountered in divide"
    import warnings

    from iur_survey.clean import rules
    monkeypatch.setattr(rules, "mahad_sim_quantile", lambda draws, n, q: 1e9)
    rng = np.random.default_rng(3)
    x = rng.integers(0, 5, (19, 8)).astype(float)
    x[:, 0] = 2
    x[0, 0] = 4            # the only row off the constant: its D2 is the largest the sample allows
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hit = rules._distance_parts(x, np.ones(19, bool), 6, True, 0.001, x.copy())[0]
    assert not hit.any()
