"""One name per argument: every FM_ function's Excel arguments carry the Python names of the engine arguments
they feed, or appear in the one table of exceptions (:mod:`xlfactor.excel.names`), and messages use it."""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
import types
from collections.abc import Callable
from pathlib import Path

import pytest
from office_js import message
from vba_names import problem

import xlfactor as xf
import xlfactor.excel.functions as functions
from xlfactor.errors import XLFactorError
from xlfactor.excel.guard import ERROR_PREFIX, error_text
from xlfactor.excel.names import EXCEL_NAMES, excel_name

FM = {name: getattr(functions, name) for name in functions.__all__}
ROOT = Path(__file__).resolve().parents[2]


def engine_function(call: ast.Call, scope: dict) -> Callable | None:
    """The engine (``xlfactor.models``/``xlfactor.data``) function a call in an FM_ body names: ``xf.regress``,
    ``periods.f`` or a function imported by name; None for anything else (a method, an Excel-layer helper)."""
    target = None
    if isinstance(call.func, ast.Name):
        target = scope.get(call.func.id)
    elif isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name):
        owner = scope.get(call.func.value.id)
        if isinstance(owner, types.ModuleType):
            target = getattr(owner, call.func.attr, None)
    module = getattr(target, "__module__", "") or ""
    engine = callable(target) and module.startswith(("xlfactor.models", "xlfactor.data"))
    return target if engine and not isinstance(target, type) else None


def fed_arguments(name: str) -> list[tuple[str, str, str]]:
    """``(engine function, its parameter, the FM_ argument passed to it)`` for each FM_ argument that the body of
    FM_ function ``name`` hands straight to an engine function, by position or keyword."""
    function = FM[name]
    own = set(inspect.signature(function).parameters)
    body = inspect.unwrap(function)
    tree = ast.parse(textwrap.dedent(inspect.getsource(body)))
    fed = []
    for node in ast.walk(tree):
        engine = engine_function(node, body.__globals__) if isinstance(node, ast.Call) else None
        if engine is None:
            continue
        params = list(inspect.signature(engine).parameters)
        pairs = [(params[i], a.id) for i, a in enumerate(node.args) if isinstance(a, ast.Name)]
        pairs += [(k.arg, k.value.id) for k in node.keywords if isinstance(k.value, ast.Name)]
        fed += [(engine.__name__, python, excel) for python, excel in pairs if excel in own]
    return fed


def test_the_check_sees_what_each_function_feeds_the_engine():
    """The static reading finds the arguments (so the next test cannot pass by seeing nothing)."""
    assert ("rolling_regress", "window", "window") in fed_arguments("FM_ROLLING_BETA")
    assert ("risk_backtest", "first_forecast", "first_forecast") in fed_arguments("FM_RISK_BACKTEST")
    assert ("rolling_regress", "min_periods", "min_periods") in fed_arguments("FM_ROLLING_BETA")
    assert ("load_factors", "end", "end_date") in fed_arguments("FM_FACTORS")
    assert ("find_episode", "episode", "episode") in fed_arguments("FM_SCENARIO")  # imported by name
    assert sum(len(fed_arguments(name)) for name in FM) > 40


@pytest.mark.parametrize("name", sorted(FM))
def test_excel_arguments_are_the_engine_names_or_in_the_table(name):
    for engine, python, excel in fed_arguments(name):
        if python != excel:
            assert excel in [e.split(" ", 1)[0] for e in EXCEL_NAMES.get(python, ())], (
                f"{name} passes its {excel!r} to {engine}'s {python!r}: name it {python!r}, or add "
                f"{python!r}: ({excel!r},) to EXCEL_NAMES if VBA or Excel cannot take {python!r}"
            )


def test_every_table_entry_names_an_excel_argument_and_the_old_names_are_gone():
    """Each Excel name in the table is an argument of some FM_ function; the Excel-only spellings replaced by
    the engine's names are no argument of any."""
    arguments = {p for f in FM.values() for p in inspect.signature(f).parameters}
    for python, excel_names in EXCEL_NAMES.items():
        for excel in excel_names:
            assert excel.split(" ", 1)[0] in arguments, (python, excel)
    assert problem("end") is not None  # End is a VBA statement: end_date, episode_end
    gone = {"window_size", "rolling_window", "raw_values", "episode_freq", "quantiles", "var_method"}
    assert gone.isdisjoint(arguments)


def test_an_engine_name_is_worded_as_the_excel_user_sees_it():
    # the function's own argument of that name, when it has one
    assert excel_name("returns", {"returns", "factors"}, {"returns", "factors", "dates"}) == "returns"
    # a part of the long data table
    assert excel_name("returns", {"data"}, {"data", "cap"}) == "data (its Return column)"
    # weights from a holdings history when holdings was given (FM_ATTRIBUTION takes either)
    assert excel_name("weights", {"holdings", "returns"}, {"weights", "holdings", "returns"}) == "holdings"
    assert excel_name("weights", {"weights"}, {"weights", "holdings"}) == "weights"
    # panel weights are a column of data; a function with neither keeps the Python name
    assert excel_name("weights", {"data"}, {"data", "weight"}) == "weight"
    assert excel_name("weights", set(), set()) == "weights"
    assert excel_name("rf", {"returns", "factors"}, {"returns", "factors"}) == "factors (its RF column)"
    assert excel_name("end", {"model"}, {"model", "end_date"}) == "end_date"


def test_fielded_errors_use_the_table_and_plain_messages_are_never_reworded():
    fielded = XLFactorError.at("end", "is before the start")
    assert error_text(fielded, ["model", "start_date", "end_date"]) == f"{ERROR_PREFIX}end_date: is before the start"
    # a plain message (the Excel layer's own, written with Excel's names) is shown as written
    plain = XLFactorError("weights: the dates are not increasing; sort the rows by date")
    assert error_text(plain, ["holdings", "returns"]) == f"{ERROR_PREFIX}{plain}"


#: Engine errors that start with a place in a file rather than an argument ("input: sheet 'Returns' of 'x.xlsx': ...").
NOT_AN_ARGUMENT = {("xlfactor/data/xlsx_input.py", "where")}


def plain_argument_messages(root: Path) -> list[tuple[str, int, str]]:
    """``(file, line, argument)`` of each ``XLFactorError("<argument>: ...")`` or ``XLFactorError(f"{name}: ...")``
    under ``root``: a message that names its argument in its text instead of as a field."""
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "XLFactorError" and node.args):
                continue
            text = node.args[0]
            parts = text.values if isinstance(text, ast.JoinedStr) else [text]
            head = parts[0]
            if isinstance(head, ast.Constant) and isinstance(head.value, str):
                lead = re.match(r"([a-z_][a-z0-9_]*): ", head.value)
                argument = lead[1] if lead else None
            elif isinstance(head, ast.FormattedValue) and isinstance(head.value, ast.Name) and len(parts) > 1:
                after = parts[1]
                argument = head.value.id if isinstance(after, ast.Constant) and after.value.startswith(": ") else None
            else:
                argument = None
            where = str(path.relative_to(ROOT))
            if argument is not None and (where, argument) not in NOT_AN_ARGUMENT:
                found.append((where, node.lineno, argument))
    return found


def test_engine_errors_carry_the_argument_they_name_as_a_field():
    """Every engine error that names an argument raises it with fields (XLFactorError.at), so each front end words
    the name itself (Excel through the table) and no front end rewords a finished message."""
    assert plain_argument_messages(ROOT / "xlfactor" / "excel")  # the scan sees plain messages where there are some
    for layer in ("models", "data"):
        assert plain_argument_messages(ROOT / "xlfactor" / layer) == [], layer


def test_an_engine_error_reaches_the_cell_under_the_excel_name(engine, cells):
    """Engine errors carry their Python name as a field (``end`` of scenario, ``start`` of load_factors); the FM_
    call shows the Excel name (episode_end, start_date: VBA reserves End), from the table, not from rewording."""
    for call, argument in (
        (lambda: xf.load_factors("FF3", "M", "2040-01-01", "2040-12-31"), "start"),
        (lambda: xf.scenario(_model(), {"NoDur": 1.0}, "2020-02-01", "2019-02-01"), "end"),
    ):
        with pytest.raises(XLFactorError) as raised:
            call()
        assert raised.value.structured and raised.value.argument == argument
        assert str(raised.value).startswith(f"{argument}: ")
    text = message(engine.call("FM_FACTORS", "FF3", "M", "2040-01-01", "2040-12-31"))
    assert text.startswith("#FM! start_date: no FF3 monthly factor data from 2040-01-31 to 2040-12-31"), text
    rets, dates = cells
    text = message(engine.call("FM_SCENARIO", [[0.5], [0.2], [0.3]], rets, "FF5", dates, "2020-02-01", "2019-02-01"))
    assert text == "#FM! episode_end: 2019-02-01 is before the start 2020-02-01"


def _model() -> xf.FactorRiskModel:
    factors = xf.load_factors("FF3", "M").loc["2015":"2019"]
    returns = xf.industry_portfolios().loc[factors.index, ["NoDur"]]
    return xf.FactorRiskModel.from_regression(xf.regress(returns, factors), factors)
