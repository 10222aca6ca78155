"""Short, readable ``repr`` for result dataclasses: scalars shown, tables summarised by their shape.

A result printed at the prompt (``res``, ``risk``, ``data``) should say what it holds in a few lines,
not dump every table: ``PortfolioRisk(total_vol=0.1523, factor_share=0.8712, by_factor=<7x4 DataFrame>, ...)``.
The tables themselves are one attribute away (``risk.by_factor``).
"""

from __future__ import annotations

import dataclasses
import math
import numbers

import numpy as np
import pandas as pd

_WIDTH = 100
_MAX_LISTED = 6


def short_repr(obj: object) -> str:
    """``ClassName(field=value, ...)`` over the dataclass fields, wrapped at about 100 characters."""
    parts = [
        f"{f.name}={_value(getattr(obj, f.name))}"
        for f in dataclasses.fields(obj)
        if f.repr and not f.name.startswith("_")
    ]
    head = f"{type(obj).__name__}("
    lines, line = [], head
    for k, part in enumerate(parts):
        piece = part + ("," if k < len(parts) - 1 else "")
        if len(line) + len(piece) + 1 > _WIDTH and line.strip() != head.strip():
            lines.append(line.rstrip())
            line = "    "
        line += piece + " "
    lines.append(line.rstrip() + ")")
    return "\n".join(lines)


def _value(value: object) -> str:
    if isinstance(value, pd.DataFrame):
        return f"<{value.shape[0]}x{value.shape[1]} DataFrame>"
    if isinstance(value, pd.Series):
        return f"<Series of {value.size}>"
    if isinstance(value, pd.Index):
        return _listed(list(value), "Index")
    if isinstance(value, np.ndarray):
        return f"<array {'x'.join(map(str, value.shape))}>"
    if isinstance(value, dict):
        return f"<dict of {len(value)}>"
    if isinstance(value, (list, tuple)):
        return _listed(list(value), type(value).__name__)
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, (bool, np.bool_)) or value is None:
        return repr(value if value is None else bool(value))
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return "nan" if math.isnan(value) else f"{float(value) + 0.0:.4g}"
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if dataclasses.is_dataclass(value):
        return f"<{type(value).__name__}>"
    text = repr(value)
    return text if len(text) <= 40 and "\n" not in text else f"<{type(value).__name__}>"


def _listed(items: list, kind: str) -> str:
    if len(items) <= _MAX_LISTED and all(isinstance(i, (str, numbers.Number)) for i in items):
        return "[" + ", ".join(repr(i) if isinstance(i, str) else _value(i) for i in items) + "]"
    return f"<{kind} of {len(items)}>"
