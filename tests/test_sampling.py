"""Sampling: marginals against scipy.stats, the copula, price paths, seed blocks."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special, stats

from fleetcalc import sampling
from fleetcalc.uncertainty import correlation_matrix_problems

N = 200_000

CASES = [
    dict(distribution="triangular", low=0.8, mode=1.0, high=1.4),
    dict(distribution="triangular", low=0.0, mode=0.0, high=2.0),
    dict(distribution="uniform", low=-1.0, high=3.0),
    dict(distribution="normal", mean=10.0, std=2.0),
    dict(distribution="normal", mean=1.0, std=0.5, low=0.5, high=2.0),
    dict(distribution="lognormal", mean=1.0, std=0.3),
    dict(distribution="pert", low=0.6, mode=1.0, high=1.1),
    dict(distribution="pert", low=100.0, mode=150.0, high=400.0),
]


@pytest.fixture(scope="module")
def scores():
    return sampling.block_generator(12345, 0).standard_normal(N)


class TestMarginals:
    @pytest.mark.parametrize("params", CASES, ids=lambda p: p["distribution"])
    def test_moments_match_scipy(self, params, scores):
        x = sampling.values_from_scores(scores, **params)
        oracle = sampling.scipy_distribution(**params)
        mean, var = oracle.stats("mv")
        sd = np.sqrt(var)
        # 5 standard errors of the sample mean and of the sample variance
        assert abs(x.mean() - mean) < 5 * sd / np.sqrt(N)
        kurt = float(oracle.stats("k")) + 3.0
        se_var = var * np.sqrt((kurt - 1) / N)
        assert abs(x.var() - var) < 5 * se_var

    @pytest.mark.parametrize("params", CASES, ids=lambda p: p["distribution"])
    def test_kolmogorov_smirnov(self, params, scores):
        x = sampling.values_from_scores(scores[:20_000], **params)
        oracle = sampling.scipy_distribution(**params)
        assert stats.kstest(x, oracle.cdf).pvalue > 1e-3

    @given(low=st.floats(-100, 100), width=st.floats(1e-3, 100), where=st.floats(0, 1),
           u=st.lists(st.floats(1e-9, 1 - 1e-9), min_size=1, max_size=20),
           distribution=st.sampled_from(["triangular", "pert", "uniform"]))
    @settings(max_examples=60, deadline=None)
    def test_inverse_cdf_equals_scipy_ppf(self, low, width, where, u, distribution):
        params = dict(distribution=distribution, low=low, high=low + width)
        if distribution != "uniform":
            params["mode"] = low + where * width
        u = np.array(u)
        x = sampling.values_from_scores(special.ndtri(u), **params)
        expected = sampling.scipy_distribution(**params).ppf(u)
        np.testing.assert_allclose(x, expected, rtol=1e-9, atol=1e-9 * width)

    @given(mean=st.floats(0.01, 1e4), cv=st.floats(0.001, 2.0),
           u=st.lists(st.floats(1e-6, 1 - 1e-6), min_size=1, max_size=10))
    @settings(max_examples=40, deadline=None)
    def test_lognormal_ppf_and_parameters(self, mean, cv, u):
        params = dict(distribution="lognormal", mean=mean, std=cv * mean)
        oracle = sampling.scipy_distribution(**params)
        assert oracle.mean() == pytest.approx(mean, rel=1e-9)
        assert oracle.std() == pytest.approx(cv * mean, rel=1e-9)
        u = np.array(u)
        np.testing.assert_allclose(sampling.values_from_scores(special.ndtri(u), **params),
                                   oracle.ppf(u), rtol=1e-9)

    def test_pert_table_agrees_with_betaincinv(self, scores):
        for mode in (0.0, 0.1, 0.5, 0.95, 1.0):
            alpha, beta = sampling.pert_shape(0.0, mode, 1.0)
            z = np.r_[scores[:50_000], -8.5, 8.5, -7.999, 7.999, 0.0]
            x = sampling.values_from_scores(z, distribution="pert", low=0.0, mode=mode,
                                            high=1.0)
            # the oracle takes each tail from its own side: betaincinv(beta, alpha, Phi(-z))
            # above the median, where Phi(z) rounds towards 1
            upper = z > 0
            exact = np.where(upper, 1.0 - special.betaincinv(beta, alpha, special.ndtr(-z)),
                             special.betaincinv(alpha, beta, special.ndtr(z)))
            # measured: at most 1.6e-15 (modes 0 to 1, 300,000 scores in [-8, 8])
            assert np.abs(x - exact).max() < 1e-14

    @settings(max_examples=60, deadline=None)
    @given(low=st.floats(-100.0, 100.0), width=st.floats(1e-3, 100.0),
           where=st.floats(0.0, 1.0), z=st.floats(-9.0, 9.0))
    def test_pert_error_bound_against_betaincinv(self, low, width, where, z):
        """The tabulated PERT quantile is within 1e-14 x width of the exact quantile."""
        mode = low + where * width
        alpha, beta = sampling.pert_shape(low, mode, low + width)
        x = sampling.values_from_scores(np.array([z]), distribution="pert", low=low,
                                        mode=mode, high=low + width)[0]
        share = (1.0 - special.betaincinv(beta, alpha, special.ndtr(-z)) if z > 0
                 else special.betaincinv(alpha, beta, special.ndtr(z)))
        assert abs(x - (low + width * share)) <= 1e-14 * width + 4e-16 * abs(low)

    @pytest.mark.parametrize("params", [
        dict(distribution="triangular", low=2.0, mode=2.0, high=2.0),
        dict(distribution="uniform", low=2.0, high=2.0),
        dict(distribution="pert", low=2.0, mode=2.0, high=2.0),
        dict(distribution="normal", mean=2.0, std=0.0),
        dict(distribution="lognormal", mean=2.0, std=0.0),
    ], ids=lambda p: p["distribution"])
    def test_zero_width_gives_the_value(self, params, scores):
        assert np.all(sampling.values_from_scores(scores[:100], **params) == 2.0)

    def test_quantile(self):
        assert sampling.quantile(0.5, distribution="normal", mean=3.0, std=1.0) == 3.0
        q = sampling.quantile([0.1, 0.9], **CASES[0])
        np.testing.assert_allclose(q, sampling.scipy_distribution(**CASES[0]).ppf([0.1, 0.9]))

    def test_unknown_distribution(self):
        with pytest.raises(ValueError, match="must be one of"):
            sampling.values_from_scores([0.0], distribution="gamma", low=0, high=1)


class TestCopula:
    def test_correlation_of_scores_is_recovered(self):
        target = np.array([[1.0, -0.5, 0.3], [-0.5, 1.0, 0.2], [0.3, 0.2, 1.0]])
        eps = sampling.block_generator(3, 0).standard_normal((N, 3))
        z = sampling.correlate(eps, np.linalg.cholesky(target))
        np.testing.assert_allclose(np.corrcoef(z.T), target, atol=0.01)

    def test_rank_correlation_survives_the_marginals(self):
        rho = -0.5
        eps = sampling.block_generator(4, 0).standard_normal((N, 2))
        z = sampling.correlate(eps, np.linalg.cholesky([[1, rho], [rho, 1]]))
        a = sampling.values_from_scores(z[:, 0], **CASES[5])   # lognormal
        b = sampling.values_from_scores(z[:, 1], **CASES[6])   # PERT
        spearman = stats.spearmanr(a, b).statistic
        # Spearman's rho of a Gaussian copula: (6 / pi) arcsin(rho / 2)
        assert spearman == pytest.approx(6 / np.pi * np.arcsin(rho / 2), abs=0.01)

    def test_independent_without_cholesky(self):
        eps = np.ones((2, 2))
        assert sampling.correlate(eps, None) is not None

    @pytest.mark.parametrize(("matrix", "message"), [
        ([[1.0, 0.5], [0.4, 1.0]], "symmetric"),
        ([[1.0, 0.5], [0.5, 0.9]], "diagonal"),
        ([[1.0, 1.5], [1.5, 1.0]], "[-1, 1]"),
        ([[1.0, 0.9, 0.9], [0.9, 1.0, -0.9], [0.9, -0.9, 1.0]], "positive definite"),
        ([[1.0, 0.5]], "square"),
    ])
    def test_invalid_matrices(self, matrix, message):
        problems = correlation_matrix_problems(matrix)
        assert problems and message in str(problems[0])

    @given(st.lists(st.floats(-0.99, 0.99), min_size=3, max_size=3))
    @settings(max_examples=50, deadline=None)
    def test_validation_agrees_with_cholesky(self, r):
        m = np.array([[1, r[0], r[1]], [r[0], 1, r[2]], [r[1], r[2], 1]])
        ok = not correlation_matrix_problems(m)
        try:
            np.linalg.cholesky(m)
            chol = np.linalg.eigvalsh(m).min() > 1e-10
        except np.linalg.LinAlgError:
            chol = False
        assert ok == chol


class TestRandomWalk:
    def test_mean_and_log_variance(self):
        eps = sampling.block_generator(5, 0).standard_normal((N, 10))
        m = sampling.random_walk(eps, drift=0.02, volatility=0.1)
        assert m.shape == (N, 11) and np.all(m[:, 0] == 1.0)
        t = np.arange(11)
        np.testing.assert_allclose(m.mean(axis=0), 1.02**t, rtol=0.01)
        np.testing.assert_allclose(np.log(m).var(axis=0)[1:], 0.01 * t[1:], rtol=0.03)

    def test_zero_volatility_is_deterministic(self):
        m = sampling.random_walk(np.random.default_rng(0).standard_normal((3, 4)), drift=0.0,
                                 volatility=0.0)
        assert np.all(m == 1.0)


class TestSeedBlocks:
    def test_block_is_the_spawned_child(self):
        children = np.random.SeedSequence(99).spawn(5)
        for k in (0, 4):
            a = sampling.block_generator(99, k).standard_normal(8)
            b = np.random.Generator(np.random.PCG64(children[k])).standard_normal(8)
            assert np.array_equal(a, b)

    def test_blocks_differ_and_repeat(self):
        a, _ = sampling.block_scores(1, 0, n_inputs=2)
        b, _ = sampling.block_scores(1, 1, n_inputs=2)
        c, _ = sampling.block_scores(1, 0, n_inputs=2)
        assert not np.array_equal(a, b) and np.array_equal(a, c)


def test_random_walk_is_the_row_by_row_running_sum():
    """random_walk runs year-major (issue 15); oracle: the row-wise formula before,
    bit for bit, for the shapes the engine passes (strided draws x years) and others."""
    shocks = np.random.default_rng(3).standard_normal((513, 3, 47))
    for eps in (shocks[:, 1], shocks, shocks[0, 0], shocks[:7, 2, :1]):
        step = np.log1p(0.02) - 0.5 * 0.1**2 + 0.1 * eps
        before = np.zeros(eps.shape[:-1] + (eps.shape[-1] + 1,))
        np.cumsum(step, axis=-1, out=before[..., 1:])
        assert np.array_equal(sampling.random_walk(eps, drift=0.02, volatility=0.1),
                              np.exp(before))
