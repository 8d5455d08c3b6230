from __future__ import annotations

import pytest


@pytest.fixture
def german():
    """Marks the tests that read the portal's German catalogue (locale/de, compiled and committed)."""
    return "de"
