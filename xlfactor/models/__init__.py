"""Numerics only: numpy/pandas/statsmodels. No I/O, no Excel, no network, no cache."""
