"""Money as reviewers read it: thousands separators and two decimals, always.

One formatter for the findings' messages (screening checks) and the reviewer pages, so a
figure reads the same in both: 98,085,900 万元 is "98,085,900.00万元", never "9.80859e+07万元".
"""

from __future__ import annotations

import math


def format_money(value: float | int | None, unit: str = "万元") -> str:
    """``98085900`` -> ``"98,085,900.00万元"``; ``-1234.5`` -> ``"-1,234.50万元"``; None -> ``"—"``.

    Two decimals whatever the size (a 万元 figure to the yuan is 4 decimals, but the platform's
    form takes 2 and reviewers compare figures to the fen of 万元). Not a number: shown as is."""
    if value is None or isinstance(value, bool):
        return "—"
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(v):
        return str(value)
    if v == 0:
        v = 0.0  # no "-0.00"
    return f"{v:,.2f}{unit}"
