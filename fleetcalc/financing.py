r"""Financing offers in the ledger: drawdowns, debt service, grant element.

Orchestration over :mod:`fleetcalc.loans` (where every loan formula lives).
A bid's loan pays ``share`` of each contract payment when it falls due
(drawdowns follow the payment schedule); the buyer pays the rest, then the
debt service. In the ledger:

* the buyer's own share of each payment and the **principal repayments**
  stay in ``acquisition`` (together they add up to the contract price);
* **interest, fees and the export-credit premium** go to ``financing``.

Price basis (``[[bids]].price_basis``): the payments of a *fixed*-price
bid are nominal amounts (the contract price does not move with inflation);
those of an *indexed* bid (or one with a price adjustment formula) are real.
Loans draw the nominal amount of each payment, in the loan's currency, and
their cash flows are nominal. Multiplying by :math:`(1 + \pi)^{-t}` with the
tender's ``inflation`` :math:`\pi` (:func:`fleetcalc.currency.real_factors`)
expresses a nominal amount in the real terms of the rest of the evaluation;
with :math:`\pi = 0`, the default, nominal and real coincide. Each flow is
also converted at its year's exchange rate in its own currency
(:func:`fleetcalc.currency.conversion_factors`): contract payments in the
bid's currency, drawdowns and debt service in the loan's. A loan is linear
in its drawdowns, so every schedule here is per unit of the unit price:
multiply by the price to get money, which keeps the Monte Carlo engine's
price draws consistent with the financing.
"""

from __future__ import annotations

import attrs
import numpy as np

from fleetcalc import currency, loans

__all__ = ["FinancingSchedules", "financing_schedules", "price_adjustment_factors"]


@attrs.frozen
class FinancingSchedules:
    r"""Per-unit-price schedules of every bid, shape ``(n_bids, periods)``.

    Attributes
    ----------
    acquisition_shares : numpy.ndarray
        Units-equivalent of the price paid by the buyer at each ``t`` (own
        share of payments plus principal), in real terms [-].
    financing_shares : numpy.ndarray
        Units-equivalent of interest, fees and premium at each ``t``, real [-].
    financed : numpy.ndarray of bool, shape (n_bids,)
        Which bids carry a loan.
    nominal : dict of numpy.ndarray
        Nominal per-unit-price schedules: ``drawdown``, ``interest``,
        ``principal``, ``fees``, ``premium``, ``debt_service``, ``balance``.
    grant_element : numpy.ndarray, shape (n_bids,)
        IMF/OECD grant element [-]; NaN for bids without a loan.
    real_factors : numpy.ndarray or None, shape (n_bids, length)
        Factor turning a nominal loan flow of ``t`` (loan currency at the
        ``t = 0`` rate) into real base currency: :math:`g_{loan}(t)(1+\pi)^{-t}`.
    contract_real : numpy.ndarray or None, shape (n_bids, periods)
        Contract payments in real base currency, per unit of the unit price [-].
    """

    acquisition_shares: np.ndarray
    financing_shares: np.ndarray
    financed: np.ndarray
    nominal: dict
    grant_element: np.ndarray
    real_factors: np.ndarray | None = None
    contract_real: np.ndarray | None = None


def price_adjustment_factors(tender, periods):
    r"""Price adjustment factor of each bid's payments at each ``t``.

    :math:`P_t / P_0 = a + b\,L_t/L_0 + c\,M_t/M_0`
    (:func:`fleetcalc.loans.price_adjustment_factor`), with the tender's index
    paths held at their last value after they end; 1 for fixed-price bids.

    Returns
    -------
    numpy.ndarray, shape (n_bids, periods)
    """
    factors = np.ones((len(tender.bids), periods))
    indices = tender.tender.price_adjustment
    for b, bid in enumerate(tender.bids):  # a handful of bids; each row is vectorised
        shares = bid.price_adjustment
        if shares is None or indices is None:
            continue
        labour = _extend(indices.labour, periods)
        materials = _extend(indices.materials, periods)
        factors[b] = loans.price_adjustment_factor(labour, materials, a=shares.a, b=shares.b,
                                                   c=shares.c)
    return factors


def _extend(path, periods):
    path = np.asarray(path, dtype=float)[:periods]
    return np.concatenate([path, np.full(periods - path.size, path[-1])])


def _rate_paths(offers, periods):
    """Interest rate by year ``k = 1..periods`` for every loan, shape (n, periods)."""
    rows = []
    for offer in offers:
        if offer.interest_rate is not None:
            rows.append(np.full(periods, float(offer.interest_rate)))
        else:
            reference = offer.reference_rate
            reference = list(reference) if isinstance(reference, tuple) else [reference]
            rows.append(loans.floating_rate(_extend(reference, periods), offer.margin))
    return np.array(rows)


def financing_schedules(tender, payment_shares, *, inflation=0.0, reference_rate=0.05,
                        fixed=None, bid_factors=None, loan_factors=None):
    r"""Split each bid's payments between the buyer, the loan and its debt service.

    Parameters
    ----------
    tender : fleetcalc.Tender
    payment_shares : numpy.ndarray, shape (n_bids, periods)
        Units-equivalent of the price due at each ``t`` on the bid's own
        price basis: nominal for fixed-price bids (``fixed``), real for the
        others (after price adjustment).
    inflation : float
        General inflation per year :math:`\pi` [-]: a nominal amount
        :math:`y_t` is :math:`y_t (1+\pi)^{-t}` in real terms, a real one
        :math:`x_t` is :math:`x_t (1+\pi)^t` in money of the day, which the
        loan disburses.
    reference_rate : float
        Discount rate of the grant element [-].
    fixed : numpy.ndarray of bool, shape (n_bids,), optional
        Bids whose payments are nominal (default: none, all real).
    bid_factors, loan_factors : numpy.ndarray, shape (n_bids, >= length), optional
        Exchange-rate multipliers :math:`g(t)` of the bid's and of the loan's
        currency (:func:`fleetcalc.currency.conversion_factors`); default 1.

    Returns
    -------
    FinancingSchedules
        Arrays may be longer than ``periods`` when repayments run past it.

    Notes
    -----
    With :math:`d_t = (1+\pi)^{-t}`, payment :math:`p_t`, loan share :math:`s`:

    .. math::
        P^{real}_t &= p_t\,(d_t \text{ if fixed else } 1)\,g_{bid}(t) \\
        D_t &= s\,P^{real}_t / (d_t\,g_{loan}(t))  \quad\text{(nominal drawdown)} \\
        A_t &= (1-s) P^{real}_t + R_t\,d_t\,g_{loan}(t), \quad
        F_t = (I_t + \Phi_t + \Pi_t)\,d_t\,g_{loan}(t)

    with :math:`R, I, \Phi, \Pi` the principal, interest, fees and premium
    of :func:`fleetcalc.loans.loan_schedule`.

    Examples
    --------
    >>> import fleetcalc
    >>> tender = fleetcalc.load_tender("examples/pakistan_locomotives_2026.toml")
    >>> shares = np.zeros((len(tender.bids), 31)); shares[:, 0] = 50.0
    >>> out = financing_schedules(tender, shares)
    >>> bool(np.allclose(out.acquisition_shares.sum(axis=1), 50.0))  # price fully paid
    True
    """
    n_bids, periods = payment_shares.shape
    offers = [bid.financing for bid in tender.bids]
    financed = np.array([offer is not None for offer in offers])
    fixed = np.zeros(n_bids, dtype=bool) if fixed is None else np.asarray(fixed, dtype=bool)
    longest = periods + max([o.tenor_years for o in offers if o is not None], default=0) + 1
    real = currency.real_factors(inflation, longest)
    bid_g = np.ones((n_bids, longest)) if bid_factors is None else np.asarray(
        bid_factors, dtype=float)[:, :longest]
    loan_g = bid_g if loan_factors is None else np.asarray(loan_factors, dtype=float)[:, :longest]
    contract_real = (payment_shares * np.where(fixed[:, None], real[None, :periods], 1.0)
                     * bid_g[:, :periods])
    if not financed.any():
        zeros = np.zeros_like(payment_shares)
        return FinancingSchedules(contract_real.copy(), zeros, financed, {},
                                  np.full(n_bids, np.nan), None, contract_real)
    to_real = real[None, :] * loan_g                       # nominal loan currency -> real base
    inflator = (1.0 + inflation) ** np.arange(periods, dtype=float)
    same = bid_g[:, :periods] == loan_g[:, :periods]
    cross = np.where(same, 1.0, bid_g[:, :periods] / np.where(same, 1.0, loan_g[:, :periods]))
    nominal_due = payment_shares * np.where(fixed[:, None], 1.0, inflator[None, :]) * cross
    names = ("drawdown", "interest", "principal", "fees", "premium", "debt_service", "balance")
    nominal = {name: np.zeros((n_bids, longest)) for name in names}
    grant = np.full(n_bids, np.nan)
    for kind in sorted({o.repayment for o in offers if o is not None}):  # at most two kinds
        idx = np.array([i for i, o in enumerate(offers) if o is not None and o.repayment == kind])
        chosen = [offers[i] for i in idx]
        share = np.array([o.share for o in chosen])
        drawdowns = np.zeros((len(idx), longest))
        drawdowns[:, :periods] = nominal_due[idx] * share[:, None]
        schedule = loans.loan_schedule(
            drawdowns, interest_rate=_rate_paths(chosen, longest),
            tenor_years=np.array([o.tenor_years for o in chosen]),
            grace_years=np.array([o.grace_years for o in chosen]),
            repayment=kind,
            upfront_fee=np.array([o.upfront_fee for o in chosen]),
            commitment_fee=np.array([o.commitment_fee for o in chosen]),
            export_credit_premium=np.array([o.export_credit_premium for o in chosen]))
        width = min(longest, schedule.debt_service.shape[-1])
        for name in names:
            nominal[name][idx, :width] = getattr(schedule, name)[:, :width]
        grant[idx] = loans.grant_element(schedule.debt_service[:, :width], drawdowns[:, :width],
                                         reference_rate=reference_rate)
    last = int(np.max(np.nonzero(np.abs(nominal["debt_service"]).sum(axis=0)
                                 + np.abs(nominal["drawdown"]).sum(axis=0))[0], initial=0))
    length = max(periods, last + 1)
    nominal = {name: values[:, :length] for name, values in nominal.items()}
    to_real = to_real[:, :length]
    own = np.zeros((n_bids, length))
    own[:, :periods] = contract_real
    own -= nominal["drawdown"] * to_real           # the part the loan pays, in real terms
    acquisition = own + nominal["principal"] * to_real
    financing = (nominal["interest"] + nominal["fees"] + nominal["premium"]) * to_real
    return FinancingSchedules(acquisition, financing, financed, nominal, grant, to_real,
                              contract_real)
