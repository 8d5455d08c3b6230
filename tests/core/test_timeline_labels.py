"""Every activity verb the services log has a translated label in the timeline (SPEC §7.6)."""

import re
from pathlib import Path

from core.templatetags.timeline_tags import VERB_LABELS

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "clients", "core", "documents", "exchange", "handoff", "notifications", "projects")
# verb="x", verb = "x", verb="x" if … else "y", and f-strings whose variable part is a known set.
VERB = re.compile(r'verb\s*=\s*(f?"[a-z_{} ]+"(?: if [^"\n]+ else "[a-z_ ]+")?)')
DYNAMIC = {
    "deliverable_{decision}": ("deliverable_accepted", "deliverable_rejected"),
    "project_risk_{status}": ("project_risk_mitigated", "project_risk_occurred", "project_risk_closed"),
}


def _logged_verbs() -> set[str]:
    verbs: set[str] = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for match in VERB.finditer(path.read_text(encoding="utf-8")):
                for verb in re.findall(r'"([a-z_{} ]+)"', match.group(1)):
                    verbs.update(DYNAMIC.get(verb, (verb,)))
    return verbs


def test_the_scan_finds_the_services_verbs():
    assert {"offer_sent", "pulse_recorded", "kickoff_scheduled", "deliverable_accepted"} <= _logged_verbs()


def test_every_logged_verb_has_a_label():
    assert sorted(_logged_verbs() - set(VERB_LABELS)) == []
