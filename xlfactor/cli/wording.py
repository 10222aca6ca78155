"""How the command line words an engine error: advice as the flag that gives it."""

from __future__ import annotations

from xlfactor.errors import REFRESH, Action, Advice, Placeholder, Wording


class CommandLineWording(Wording):
    """Engine errors in command-line terms: advice as the flag that gives it (``--units decimal``,
    ``--max-gross none``, ``--freq D``; advice no flag gives is left out), actions as a command, and the
    realised returns as ``--portfolio-returns`` (the flag, or a workbook's PortfolioReturns table)."""

    flags = {"units": "--units", "max_gross": "--max-gross", "freq": "--freq", "prices": "--prices"}
    #: Engine arguments the command line takes as a flag of another spelling.
    arguments = {"portfolio_returns": "--portfolio-returns"}

    def argument(self, name: str) -> str:
        return self.arguments.get(name, name)

    def advice(self, advice: Advice) -> str:
        flag = self.flags.get(advice.argument)
        if flag is None:
            return ""
        value = advice.value
        if value is True:
            return f"pass {flag}"
        text = "none" if value is None else value.text if isinstance(value, Placeholder) else str(value)
        return f"pass {flag} {text}"

    def action(self, action: Action) -> str:
        if action.name == REFRESH:
            return f"run `xlfactor refresh --model {action.target}` once, with internet access"
        return super().action(action)


COMMAND_LINE = CommandLineWording()
