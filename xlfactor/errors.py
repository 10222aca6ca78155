"""The one exception type xlfactor raises for bad input or unusable data."""


class XLFactorError(ValueError):
    """Bad input or unusable data.

    The message names the argument (or dataset) at fault and says how to fix it,
    so that the Excel layer can show it in a cell as ``#FM! <message>`` unchanged.
    """
