from __future__ import annotations

from pathlib import Path

import polib
import pytest
from django.utils.translation import trans_real

PART = Path(__file__).resolve().parents[2] / "locale" / "parts" / "exchange.po"


@pytest.fixture
def german(settings, tmp_path):
    """This area's German catalogue (locale/parts/exchange.po) compiled and active for the test.

    The lead merges the parts into locale/de; the tests read the part itself so they do not
    depend on that merge.
    """
    target = tmp_path / "de" / "LC_MESSAGES"
    target.mkdir(parents=True)
    polib.pofile(str(PART)).save_as_mofile(str(target / "django.mo"))
    settings.LOCALE_PATHS = [str(tmp_path), *settings.LOCALE_PATHS]
    trans_real._translations = {}
    trans_real._default = None
    yield
    trans_real._translations = {}
    trans_real._default = None
