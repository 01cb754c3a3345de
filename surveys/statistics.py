"""The paired change from start to end: pure functions over arrays, using numpy and scipy.

Each participant gives one score per outcome area at the start and one at the end (the mean
of their answers to that area's statements, 1 to 5). For the pairs of scores:

- the **mean change** (end minus start) with a 95% confidence interval from the t
  distribution with n - 1 degrees of freedom: mean ± t(0.975, n - 1) * sd(change) / √n;
- the **standardised effect size**, Hedges' g_av: the mean change divided by the average
  standard deviation of the start and end scores, s_av = √((s_start² + s_end²) / 2)
  (Cohen's d_av, Cumming 2012; Lakens 2013), times the small-sample correction
  J = 1 - 3 / (4(n - 1) - 1). Standardising by the spread of the scores, not of the changes
  (d_z), keeps it comparable with between-group effect sizes such as the EEF's, which d_z
  overstates when start and end scores are strongly correlated;
- its 95% confidence interval from the normal approximation for a paired design
  (Borenstein et al. 2009, Introduction to Meta-Analysis, eq. 4.28):
  SE(d) = √((1/n + d² / 2n) * 2(1 - r)), SE(g) = J * SE(d), g ± 1.96 * SE(g), where r is the
  correlation between start and end scores.

Standard deviations use n - 1 (``ddof=1``). Where every start or every end score is the same,
no effect size can be computed and ``effect_size`` is ``None``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

CONFIDENCE = 0.95


@dataclass(frozen=True)
class PairedChange:
    """The change from start to end over ``pairs`` people."""

    pairs: int
    mean_start: float
    mean_end: float
    mean_change: float
    change_low: float
    change_high: float
    sd_start: float
    sd_end: float
    sd_change: float
    correlation: float | None
    effect_size: float | None
    effect_low: float | None
    effect_high: float | None


def hedges_correction(pairs: int) -> float:
    """J = 1 - 3 / (4 df - 1) with df = n - 1: shrinks d towards zero for small samples."""
    if pairs < 2:
        raise ValueError("A correction needs at least two pairs.")
    return 1 - 3 / (4 * (pairs - 1) - 1)


def mean_interval(values: np.ndarray, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The t-distribution confidence interval of the mean of ``values``."""
    n = len(values)
    half = float(stats.t.ppf((1 + confidence) / 2, n - 1)) * values.std(ddof=1) / math.sqrt(n)
    mean = float(values.mean())
    return mean - float(half), mean + float(half)


def effect_size_interval(
    d: float, pairs: int, correlation: float, confidence: float = CONFIDENCE
) -> tuple[float, float, float]:
    """Hedges' g for a paired d_av, and its normal-approximation confidence interval."""
    j = hedges_correction(pairs)
    variance = (1 / pairs + d**2 / (2 * pairs)) * 2 * (1 - correlation)
    se = j * math.sqrt(max(variance, 0.0))
    z = float(stats.norm.ppf((1 + confidence) / 2))
    g = j * d
    return g, g - z * se, g + z * se


def paired_change(start, end, confidence: float = CONFIDENCE) -> PairedChange:
    """The change from ``start`` to ``end`` scores (same people, same order)."""
    start = np.asarray(start, dtype=float)
    end = np.asarray(end, dtype=float)
    if start.shape != end.shape or start.ndim != 1:
        raise ValueError("Start and end scores must be two lists of the same length.")
    n = len(start)
    if n < 2:
        raise ValueError("A paired change needs at least two pairs.")
    change = end - start
    low, high = mean_interval(change, confidence)
    sd_start, sd_end = float(start.std(ddof=1)), float(end.std(ddof=1))
    correlation = effect = effect_low = effect_high = None
    if sd_start > 0 and sd_end > 0:
        correlation = float(np.corrcoef(start, end)[0, 1])
        d_av = float(change.mean()) / math.sqrt((sd_start**2 + sd_end**2) / 2)
        effect, effect_low, effect_high = effect_size_interval(d_av, n, correlation, confidence)
    return PairedChange(
        pairs=n,
        mean_start=float(start.mean()),
        mean_end=float(end.mean()),
        mean_change=float(change.mean()),
        change_low=low,
        change_high=high,
        sd_start=sd_start,
        sd_end=sd_end,
        sd_change=float(change.std(ddof=1)),
        correlation=correlation,
        effect_size=effect,
        effect_low=effect_low,
        effect_high=effect_high,
    )
