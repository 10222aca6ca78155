"""Whether this is a CI run (``.ci/run`` sets ``CI=1``; most CI services set ``CI=true``).

In a CI run nothing may be skipped: a test that would be skipped because LibreOffice, poppler,
node, scikit-learn or xlwings-server is missing fails instead (``tests/conftest.py``), so a
machine without them cannot pass CI by running fewer tests.
"""

import os

STRICT = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
