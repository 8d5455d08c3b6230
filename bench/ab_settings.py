"""Settings for one arm of an A/B (bench/ab.py): the base settings with a home-made speed-up swapped for Django's.

Each ``AB_*`` variable set to 1 puts the plain Django mechanism in place of the portal's own
(where the portal already uses the plain one, it changes nothing):

- ``AB_PLAIN_SESSIONS``: the ``cached_db`` session engine on the default cache (Redis with ``CACHE_URL``),
  or with ``AB_PLAIN_SESSIONS=db`` Django's ``db`` engine;
- ``AB_PLAIN_USER``: the signed-in user loaded with an ORM query (``bench.ab_plain.backends.OrmUserBackend``);
- ``AB_PLAIN_URLS``: ``{% fixed_url %}`` and ``{% fixed_static %}`` call ``reverse()`` and ``static()``.

``PAGE_CACHE=false`` turned the page cache (``core/pagecache.py``, deleted since) off.
"""

import os

from config.settings.base import *  # noqa: F403

if os.environ.get("AB_PLAIN_SESSIONS") == "1":
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
elif os.environ.get("AB_PLAIN_SESSIONS") == "db":
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
if os.environ.get("AB_PLAIN_USER") == "1":
    AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "bench.ab_plain.backends.OrmUserBackend"]
if os.environ.get("AB_PLAIN_URLS") == "1":
    INSTALLED_APPS = [*INSTALLED_APPS, "bench.ab_plain"]  # noqa: F405 - its ready() swaps the tags
