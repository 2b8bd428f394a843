"""German number, date and label formatting for page text, legends and tooltips.

Numbers use a decimal comma and a thousands dot (``1.234,5``) and are rounded half up, as readers of
official statistics expect. Units follow the indicator catalogue: ``%`` for shares, ``je 1.000`` for
rates per 1,000.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np

from pipelines.lib.config import UNITS
from pipelines.lib.vocabulary import NO_DATA, PUBLISHED, SECRET, TOO_FEW

STATUSES = (PUBLISHED, SECRET, TOO_FEW, NO_DATA)

STATUS_TEXT = {
    PUBLISHED: "veröffentlicht",
    SECRET: "geheimgehalten (Datenschutz)",
    TOO_FEW: "zu wenige Einwohner",
    NO_DATA: "keine Daten",
}

# a numerator computed from a delivered share × its denominator, or carried over from older district
# boundaries (a crosswalk): published as a rate, but not as counted cases
DERIVED_MARK = "abgeleitet (aus Anteil × Bezugsgröße oder von älteren Gebietsgrenzen umgerechnet), nicht gezählt"
NO_INTERVAL_DERIVED = "kein Konfidenzintervall, weil der Zähler abgeleitet ist"

_MAIN_LIFE_PHASES = ("0-3", "3-6", "6-10", "10-18")


_QUANTUM = {d: Decimal(1).scaleb(-d) for d in range(1, 10)}
_GERMAN = str.maketrans(",.", ".,")
_FRACTIONS = {d: [f",{i:0{d}d}" if d else "" for i in range(10**d)] for d in range(5)}
_EXACT = {d: 10.0 ** (15 - d) for d in range(15)}  # at most 15 significant digits: repr's digits are exact


@lru_cache(maxsize=1 << 16, typed=True)  # a city's values recur on every profile
def format_number(value: float | int, decimals: int = 1) -> str:
    """``1234.56`` → ``"1.234,6"`` (half up); integers keep no decimals when ``decimals`` is 0.

    Half up applies to the number as written (``repr``): ``0.25`` → ``"0,3"``. Only a written tail of
    exactly one 5 needs decimal arithmetic; for any other tail, rounding the binary value (as ``format``
    does) gives the same digits, because the shortest ``repr`` and the binary value lie on the same side
    of every shorter decimal (else that shorter decimal would be the ``repr``). Below ``_EXACT`` the
    binary value is within a tenth of the last written decimal of its ``repr``."""
    if isinstance(value, int) and not isinstance(value, bool):  # counts: no rounding (the page's hot path)
        text = f"{value:,}".translate(_GERMAN)
        return f"{text},{'0' * decimals}" if decimals > 0 else text
    if 0 <= decimals < 15 and -_EXACT[decimals] < value < _EXACT[decimals]:
        written = repr(float(value))
        point = written.find(".")
        if point > 0 and "e" not in written and written[point + 1 + decimals:] != "5":
            text = f"{float(value):,.{decimals}f}"
            if text[0] == "-" and not text.strip("-0.,"):
                text = text[1:]  # no "-0,0"
            return text.translate(_GERMAN)
    return _format_decimal(value, decimals)


def _format_decimal(value: float | int, decimals: int) -> str:
    """:func:`format_number` in decimal arithmetic (half up on ``str(value)``)."""
    quant = _QUANTUM.get(decimals) or (Decimal(1).scaleb(-decimals) if decimals > 0 else Decimal(1))
    number = Decimal(str(value)).quantize(quant, rounding=ROUND_HALF_UP)
    if not number:
        number = number.copy_abs()  # no "-0,0"
    return format(number, ",f").translate(_GERMAN)


def format_numbers(values, decimals: int = 1) -> list[str]:
    """:func:`format_number` of every value (floats), the same strings, computed as whole arrays.

    The rounding is decided in numpy: ``|x|·10^d`` is exact in extended precision for ``d`` up to 4, so
    its fraction shows which way the binary value rounds, and a written tie (``repr`` ending in the 5
    right after the last kept decimal) is found as the float ``m / 10^(d+1)`` with ``m`` ending in 5.
    Other values (more decimals, very large, not finite) go through :func:`format_number`.
    """
    x = np.asarray(values, dtype=float)
    if not 0 <= decimals <= 4 or np.finfo(np.longdouble).nmant < 63:
        return [format_number(v, decimals) for v in x.tolist()]
    ax = np.abs(x)
    fast = np.isfinite(x) & (ax < 10.0 ** (14 - decimals))
    safe = np.where(fast, ax, 0.0)
    scaled = safe.astype(np.longdouble) * np.longdouble(10**decimals)  # exact: 53 + 10 bits
    whole = np.floor(scaled)
    tail = np.rint(safe.astype(np.longdouble) * np.longdouble(10 ** (decimals + 1)))
    written_tie = (np.fmod(tail, 10) == 5) & (tail.astype(float) / 10.0 ** (decimals + 1) == safe)
    rounded = (whole + ((scaled - whole > 0.5) | written_tie)).astype(np.int64)
    negative = (x < 0) & (rounded > 0)
    units, fraction = np.divmod(rounded, 10**decimals)
    tails = _FRACTIONS[decimals]
    out = [("-" if neg else "") + (str(u) if u < 1000 else f"{u:,}".replace(",", ".")) + tails[f]
           for neg, u, f in zip(negative.tolist(), units.tolist(), fraction.tolist(), strict=True)]
    if not fast.all():
        for i in np.flatnonzero(~fast).tolist():
            out[i] = format_number(float(x[i]), decimals)
    return out


def format_count(value: int) -> str:
    """A case count: ``12345`` → ``"12.345"``."""
    value = int(value)
    return str(value) if -1000 < value < 1000 else f"{value:,}".translate(_GERMAN)


def unit_suffix(unit: str) -> str:
    """The German unit text of an indicator unit id (``share`` → ``%``)."""
    return UNITS[unit][1] if unit in UNITS else unit


def format_rate(value: float, unit: str, decimals: int = 1) -> str:
    """A rate in its unit: ``12.5, "share"`` → ``"12,5 %"``, ``3.25, "per_1000"`` → ``"3,3 je 1.000"``."""
    return f"{format_number(value, decimals)} {unit_suffix(unit)}"


def format_interval(low: float, high: float, decimals: int = 1) -> str:
    """A confidence interval without unit: ``"10,1 – 14,2"``."""
    return f"{format_number(low, decimals)} – {format_number(high, decimals)}"


def format_date(value: str | None) -> str:
    """An ISO date ``2024-12-31`` → ``31.12.2024``; anything else is returned unchanged."""
    if not value:
        return "nicht angegeben"
    try:
        parsed = datetime.strptime(value[:10], "%Y-%m-%d")
    except ValueError:
        return value
    return parsed.strftime("%d.%m.%Y")


def format_timestamp(epoch_seconds: float, timezone: str = "Europe/Berlin") -> str:
    """Seconds since the epoch → ``"31.12.2024, 02:15 Uhr"`` in the workspace time zone."""
    moment = datetime.fromtimestamp(epoch_seconds, tz=UTC).astimezone(ZoneInfo(timezone))
    return moment.strftime("%d.%m.%Y, %H:%M Uhr")


def life_phase_label(life_phase: str) -> str:
    """``"0-3"`` → ``"0 bis unter 3 Jahre"``; other phases (``Erwachsene``) stay as they are."""
    low, sep, high = life_phase.partition("-")
    if sep and low.strip().isdigit() and high.strip().isdigit():
        return f"{low.strip()} bis unter {high.strip()} Jahre"
    return life_phase


def life_phase_order(phases: list[str]) -> list[str]:
    """The four main phases of childhood first (0-3, 3-6, 6-10, 10-18), then the others."""
    main = [p for p in _MAIN_LIFE_PHASES if p in phases]
    rest = sorted({p for p in phases if p not in _MAIN_LIFE_PHASES}, key=_phase_key)
    return main + rest


def _phase_key(phase: str) -> tuple[int, int, str]:
    low, sep, high = phase.partition("-")
    if sep and low.isdigit() and high.isdigit():
        return (0, int(low) * 1000 + int(high), phase)
    return (1, 0, phase)
