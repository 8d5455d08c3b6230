"""The German catalogue is complete and current (SPEC §7.6), checked in CI:

- every entry of ``locale/de/LC_MESSAGES/django.po`` is translated, none fuzzy, every placeholder kept;
- ``makemessages`` over the tree finds no msgid the catalogue lacks (a string marked but not translated);
- the compiled ``django.mo`` holds exactly the translations of the ``.po`` (``make messages`` was run);
- no template shows human text outside ``{% translate %}`` / ``{% blocktranslate %}``.

These are global: a string anyone marks, or a template text anyone adds, without its German fails here.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.template.base import Lexer, TokenType
from django.test import override_settings

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "locale" / "de" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
TEMPLATES = ROOT / "templates"
# The same sources as `make messages` (Makefile).
IGNORE = ["node_modules", "staticfiles", "tests", "bench", ".venv", "media"]

PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")


def _catalogue() -> polib.POFile:
    return polib.pofile(str(PO))


def _entries() -> list[polib.POEntry]:
    return [entry for entry in _catalogue() if not entry.obsolete]


def _translations(entry: polib.POEntry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


# --- The catalogue ---------------------------------------------------------------------------------
def test_the_german_catalogue_exists_with_its_plural_rule():
    catalogue = _catalogue()
    assert catalogue.metadata.get("Language") == "de"
    assert "nplurals=2" in catalogue.metadata.get("Plural-Forms", "")


def test_every_german_entry_is_translated_and_none_is_fuzzy():
    untranslated = [entry.msgid for entry in _entries() if not all(_translations(entry)) or not _translations(entry)]
    fuzzy = [entry.msgid for entry in _entries() if "fuzzy" in entry.flags]

    assert not untranslated, f"{len(untranslated)} German entries are empty, e.g. {untranslated[:10]}"
    assert not fuzzy, f"{len(fuzzy)} German entries are fuzzy, e.g. {fuzzy[:10]}"


def test_every_placeholder_of_the_english_is_kept_in_the_german():
    broken = []
    for entry in _entries():
        for index, text in enumerate(_translations(entry)):
            source = entry.msgid_plural if entry.msgid_plural and index > 0 else entry.msgid
            wanted = set(PLACEHOLDER.findall(source))
            if entry.msgid_plural and index == 0:
                # A singular may say "one" instead of the count; every other placeholder stays.
                wanted -= {"%(count)d", "%(counter)s", "%d", "%(count)s"}
            if text and not wanted <= set(PLACEHOLDER.findall(text)):
                broken.append((entry.msgid, text))
    assert not broken, f"placeholders lost in {len(broken)} entries: {broken[:5]}"


def test_makemessages_would_add_no_entry(tmp_path, monkeypatch):
    """A msgid in the code but not in the committed catalogue: a string marked without its German.

    makemessages runs over a copy of the sources: run in the tree, it would merge into the committed
    catalogue (it writes next to the nearest ``locale/`` folder whatever LOCALE_PATHS says)."""
    if not shutil.which("xgettext"):
        pytest.fail("xgettext (GNU gettext) is needed: apt-get install gettext")
    tree = tmp_path / "tree"
    tree.mkdir()
    for child in ROOT.iterdir():
        skip = child.name.startswith(".") or child.name in {*IGNORE, "locale", "static", "deploy"}
        if child.is_dir() and not child.is_symlink() and not skip:
            shutil.copytree(
                child, tree / child.name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo", "*.po")
            )
    locale = tree / "locale"
    locale.mkdir()
    monkeypatch.chdir(tree)
    with override_settings(LOCALE_PATHS=[str(locale)]):
        call_command(
            "makemessages",
            locale=["de"],
            extensions=["html", "txt", "py"],
            ignore_patterns=IGNORE,
            no_wrap=True,
            no_obsolete=True,
            verbosity=0,
        )
    extracted = {(entry.msgctxt, entry.msgid) for entry in polib.pofile(str(locale / "de/LC_MESSAGES/django.po"))}
    committed = {(entry.msgctxt, entry.msgid) for entry in _entries()}

    missing = sorted(msgid for _context, msgid in extracted - committed)
    assert not missing, (
        f"{len(missing)} marked strings are not in the German catalogue (`make messages`): {missing[:15]}"
    )


def test_the_compiled_catalogue_is_fresh():
    """django.mo holds exactly the .po's translations: `make messages` (compilemessages) ran after the last edit."""
    assert MO.exists(), "locale/de/LC_MESSAGES/django.mo is missing: run `make messages`"

    def pairs(entries):
        result = {}
        for entry in entries:
            if entry.msgid == "":
                continue
            if entry.msgid_plural:
                result[(entry.msgctxt, entry.msgid)] = tuple(
                    entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)
                )
            else:
                result[(entry.msgctxt, entry.msgid)] = (entry.msgstr,)
        return result

    wanted = {
        key: value
        for key, value in pairs(entry for entry in _entries() if "fuzzy" not in entry.flags).items()
        if all(value)
    }
    assert pairs(polib.mofile(str(MO))) == wanted


def test_msgfmt_accepts_the_catalogue():
    """The catalogue compiles (``msgfmt --check``: format strings match, headers sane)."""
    if not shutil.which("msgfmt"):
        pytest.fail("msgfmt (GNU gettext) is needed: apt-get install gettext")
    result = subprocess.run(
        ["msgfmt", "--check", "--output-file=/dev/null", str(PO)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


# --- Templates: no human text outside translation tags -----------------------------------------------
# What may stand in a template as it is: the brand, the language names of the switch (each in itself),
# symbols and numbers.
ALLOWED_WORDS = {"Handoff", "portal", "EN", "DE", "English", "Deutsch", "Swagger", "ReDoc", "SHA-256"}
HUMAN_ATTRIBUTES = {"aria-label", "title", "placeholder", "alt", "data-label", "aria-description", "label"}
MARK = "\ue000"  # stands for a tag, a variable or translated text in the flattened template
LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)


def _flatten(source: str) -> str:
    """The template with every tag, variable and translated text replaced by MARK, comments dropped."""
    out = []
    depth_translate = depth_comment = 0
    for token in Lexer(source).tokenize():
        contents = token.contents.strip()
        if token.token_type == TokenType.BLOCK:
            name = contents.split(" ", 1)[0] if contents else ""
            if name in {"blocktranslate", "blocktrans"}:
                depth_translate += 1
            elif name in {"endblocktranslate", "endblocktrans"}:
                depth_translate -= 1
            elif name == "comment":
                depth_comment += 1
            elif name == "endcomment":
                depth_comment -= 1
            out.append(MARK)
        elif token.token_type == TokenType.TEXT:
            out.append(MARK if depth_translate or depth_comment else token.contents)
        elif token.token_type == TokenType.VAR:
            out.append(MARK)
        # TokenType.COMMENT ({# #}) is dropped.
    return "".join(out)


# A CSS class or a name in code ("body--auth", "is_open"), e.g. a {% block body_class %}: not for people.
IDENTIFIER = re.compile(r"^[a-z0-9]+(?:(?:--|-|_)[a-z0-9]+)*(?:--|-|_)[a-z0-9]+$")


def _human(text: str) -> bool:
    words = re.split(r"[\s" + MARK + r"]+", text)
    rest = " ".join(
        word for word in words if word.strip("()[].,:;!?") not in ALLOWED_WORDS and not IDENTIFIER.match(word)
    )
    return bool(LETTERS.search(rest))


class _TextFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self._skip += 1
        for name, value in attrs:
            if name in HUMAN_ATTRIBUTES and value and _human(value):
                self.found.append(f'{tag}[{name}="{value.strip()}"]')

    def handle_endtag(self, tag):
        if tag in {"script", "style"} and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and _human(data):
            self.found.append(" ".join(data.split()))


def untranslated_text(path: Path) -> list[str]:
    flat = _flatten(path.read_text(encoding="utf-8"))
    if path.suffix == ".txt":
        return [" ".join(line.split()) for line in flat.splitlines() if _human(line)]
    finder = _TextFinder()
    finder.feed(flat)
    finder.close()
    return finder.found


ALL_TEMPLATES = sorted(p for p in TEMPLATES.rglob("*") if p.suffix in {".html", ".txt"})


@pytest.mark.parametrize("path", ALL_TEMPLATES, ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_template_shows_text_outside_translation_tags(path):
    found = untranslated_text(path)
    assert not found, f"{path.relative_to(ROOT)} shows text outside {{% translate %}}: {found[:8]}"


def test_the_scanner_finds_text_outside_tags(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        '{% load i18n %}<h1>{% translate "Fine" %}</h1><p>Not fine</p>'
        '<button aria-label="Close">\u00d7</button>{% blocktranslate %}Fine {{ x }}{% endblocktranslate %}'
        "{# a comment #}{% comment %}Also a comment{% endcomment %}<span>{{ value }} · 12</span>"
        '<a class="brand">Handoff<span>portal</span></a><script>var text = "code";</script>'
    )

    assert untranslated_text(page) == ["Not fine", 'button[aria-label="Close"]']
