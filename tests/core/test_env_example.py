"""`.env.example` lists every variable the settings read (STYLE.md)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READERS = re.compile(
    r"""(?:env_(?:str|bool|int|list)\(|os\.environ\.get\(|os\.getenv\(|os\.environ\[)\s*["']([A-Z][A-Z0-9_]*)["']"""
)


def _variables_read() -> set[str]:
    names: set[str] = set()
    for path in [*(ROOT / "config").glob("settings/*.py"), ROOT / "config" / "env.py"]:
        names |= set(READERS.findall(path.read_text()))
    return names


def _variables_listed() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def test_it_finds_the_variables_the_settings_read():
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "DEBUG", "ALLOWED_HOSTS", "EMAIL_URL"} <= _variables_read()


def test_it_lists_every_variable_the_settings_read():
    missing = _variables_read() - _variables_listed()

    assert not missing, f".env.example does not list {sorted(missing)}"


def test_it_explains_every_variable_with_a_comment():
    lines = (ROOT / ".env.example").read_text().splitlines()
    for number, line in enumerate(lines):
        if re.match(r"^[A-Z][A-Z0-9_]*=", line):
            assert lines[number - 1].startswith("#"), f"no comment above {line!r}"
