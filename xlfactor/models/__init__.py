"""Numerics only: numpy/pandas/statsmodels. No I/O, no Excel, no network, no cache."""

#: Name of the risk-free column that French factor files carry next to the factors. It is never a
#: regressor or a factor; import it from here (``from xlfactor.models import RF_COLUMN``).
RF_COLUMN = "RF"
