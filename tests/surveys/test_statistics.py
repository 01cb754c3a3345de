"""The paired change and its effect size, checked against figures worked out by hand."""

import math

import numpy as np
import pytest

from surveys import statistics

# Ten people's scores in one outcome area, at the start and at the end.
START = [2, 3, 3, 2, 4, 3, 2, 3, 4, 4]
END = [3, 4, 3, 3, 4, 4, 3, 4, 5, 5]

# Worked by hand (n = 10):
#   changes d_i = end - start = 1, 1, 0, 1, 0, 1, 1, 1, 1, 1 -> mean 8/10 = 0.8
#   sum of squared deviations of d: 8 x 0.2² + 2 x 0.8² = 0.32 + 1.28 = 1.6
#   var(d) = 1.6 / 9 = 0.177778, sd(d) = 0.421637, SE = sd / √10 = √(1.6 / 90) = 2/15 = 0.133333
#   t(0.975, 9) = 2.262157 (tables), half-width = 2.262157 x 0.133333 = 0.301621
#   mean change CI = 0.8 ± 0.301621 = 0.498379 to 1.101621
#
#   start: mean 30/10 = 3.0; deviations -1,0,0,-1,1,0,-1,0,1,1; SS = 6; var = 6/9 = 0.666667
#   end:   mean 38/10 = 3.8; deviations -0.8,0.2,-0.8,-0.8,0.2,0.2,-0.8,0.2,1.2,1.2;
#          SS = 4 x 0.64 + 4 x 0.04 + 2 x 1.44 = 5.6; var = 5.6/9 = 0.622222
#   s_av = √((0.666667 + 0.622222) / 2) = √0.644444 = 0.802773
#   d_av = 0.8 / 0.802773 = 0.996546
#   cross-products of deviations: 0.8+0+0+0.8+0.2+0+0.8+0+1.2+1.2 = 5.0; cov = 5/9
#   r = 5 / √(6 x 5.6) = 5 / 5.796551 = 0.862582
#     (check: var(d) = 6/9 + 5.6/9 - 2 x 5/9 = 1.6/9, as above)
#   J = 1 - 3 / (4 x 9 - 1) = 1 - 3/35 = 32/35 = 0.914286
#   g = J x d_av = 0.914286 x 0.996546 = 0.911128
#   var(d) = (1/10 + 0.996546² / 20) x 2 x (1 - 0.862582)
#          = (0.1 + 0.049655) x 0.274836 = 0.041131; SE(d) = 0.202808
#   SE(g) = J x SE(d) = 0.185425; z(0.975) = 1.959964; half-width 0.363426
#   g CI = 0.911128 ± 0.363426 = 0.547702 to 1.274554
HAND = {
    "mean_start": 3.0,
    "mean_end": 3.8,
    "mean_change": 0.8,
    "change_low": 0.498379,
    "change_high": 1.101621,
    "sd_change": 0.421637,
    "correlation": 0.862582,
    "effect_size": 0.911128,
    "effect_low": 0.547702,
    "effect_high": 1.274554,
}


def test_paired_change_matches_the_figures_worked_by_hand():
    change = statistics.paired_change(START, END)

    assert change.pairs == 10
    for name, expected in HAND.items():
        assert getattr(change, name) == pytest.approx(expected, abs=5e-6), name


def test_hedges_correction_by_hand():
    # J = 1 - 3 / (4(n - 1) - 1): n = 10 -> 32/35; n = 2 -> 1 - 3/3 = 0; n = 101 -> 1 - 3/399
    assert statistics.hedges_correction(10) == pytest.approx(32 / 35)
    assert statistics.hedges_correction(2) == 0
    assert statistics.hedges_correction(101) == pytest.approx(396 / 399)


def test_the_same_change_for_everyone_has_no_spread_of_changes_and_a_zero_width_interval():
    start = [1, 2, 3, 4, 2, 3, 1, 2, 3, 4]
    change = statistics.paired_change(start, [s + 1 for s in start])

    assert change.mean_change == 1
    assert (change.change_low, change.change_high) == (1, 1)
    # r = 1, so SE = 0; d_av = 1 / sd(start); sd(start) by hand: mean 2.5, SS = 10.5 -> √(10.5/9)
    d_av = 1 / math.sqrt(10.5 / 9)
    assert change.effect_size == pytest.approx(32 / 35 * d_av)
    assert change.effect_low == pytest.approx(change.effect_size)
    assert change.effect_high == pytest.approx(change.effect_size)


def test_no_effect_size_where_everyone_gave_the_same_score_at_one_occasion():
    change = statistics.paired_change([3] * 10, [3, 4, 4, 5, 3, 4, 4, 5, 3, 4])

    assert change.mean_change == pytest.approx(0.9)
    assert change.effect_size is None
    assert change.effect_low is None
    assert change.correlation is None


def test_no_change_gives_an_effect_size_of_zero_with_an_interval_around_it():
    scores = np.array([1, 2, 3, 4, 5, 1, 2, 3, 4, 5], dtype=float)
    change = statistics.paired_change(scores, scores[::-1])

    assert change.mean_change == 0
    assert change.effect_size == 0
    assert change.effect_low < 0 < change.effect_high
    assert change.effect_low == pytest.approx(-change.effect_high)


def test_a_fall_gives_a_negative_effect_size():
    change = statistics.paired_change(END, START)

    assert change.effect_size == pytest.approx(-HAND["effect_size"], abs=5e-6)
    assert change.effect_high == pytest.approx(-HAND["effect_low"], abs=5e-6)


@pytest.mark.parametrize(
    ("start", "end"),
    [([1], [2]), ([], []), ([1, 2, 3], [1, 2]), ([[1, 2], [3, 4]], [[1, 2], [3, 4]])],
)
def test_too_few_or_mismatched_scores_are_refused(start, end):
    with pytest.raises(ValueError, match=r"pairs|same length"):
        statistics.paired_change(start, end)
