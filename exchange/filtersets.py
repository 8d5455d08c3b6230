"""The FilterSets the exports apply: the same ones the API lists use.

The one place exchange names them. They live in each app's API module today and
are moving to ``<app>/filters.py`` (issue 16); repoint these imports then.
"""

from clients.api.views import ClientFilter, ContactFilter
from handoff.api.offers import OfferFilter
from projects.api.issues import IssueFilter
from projects.api.views import ProjectFilter

__all__ = ["ClientFilter", "ContactFilter", "IssueFilter", "OfferFilter", "ProjectFilter"]
