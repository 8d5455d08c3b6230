"""The FilterSets the exports apply: the same ones the API lists use (each app's ``filters.py``).

The one place exchange names them.
"""

from clients.filters import ClientFilter, ContactFilter
from handoff.filters import OfferFilter
from projects.filters import IssueFilter, ProjectFilter

__all__ = ["ClientFilter", "ContactFilter", "IssueFilter", "OfferFilter", "ProjectFilter"]
