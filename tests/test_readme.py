"""The README's Python example runs as written, and its first block holds the two commands CI relies on."""

import re
from pathlib import Path

README = (Path(__file__).parents[1] / "README.md").read_text()
CI = (Path(__file__).parents[1] / ".ci" / "run").read_text()


def test_readme_python_example_runs(capsys):
    blocks = re.findall(r"```python\n(.*?)```", README, re.S)
    assert blocks, "README has no python example"
    namespace: dict = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)
    printed = capsys.readouterr().out  # the block prints what it computes, in short readable form
    assert f"total_vol={namespace['risk'].total_vol:.4g}" in printed and "by_factor=<6x4 DataFrame>" in printed
    assert "Covid crash 2020" in printed and max(len(line) for line in printed.splitlines()) <= 120
    risk = namespace["risk"]
    assert abs(risk.by_factor["contribution"].sum() - risk.total_vol) < 1e-12
    assert set(namespace["res"].params.index) == {"NoDur", "BusEq", "Money"}


def test_readme_opens_with_demo_and_test_commands_and_ci_runs_the_second():
    first = re.search(r"```bash\n(.*?)```", README, re.S).group(1).strip().splitlines()
    assert first[0].endswith("xlfactor demo")
    assert "pytest" in first[1] and first[1] in CI
