"""Test-session settings shared by every test module."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis.configuration import set_hypothesis_home_dir

# Hypothesis keeps its example database and caches in ./.hypothesis by default: the repository
# root when pytest runs from there. Tests must not write into the checkout, so it lives in /tmp.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "polevents-hypothesis")
