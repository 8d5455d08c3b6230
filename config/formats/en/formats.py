"""English as the portal writes it: the British formats (25 Oct 2006, 25/10/2006, 12,500.00).

The portal's English is ``en`` (the API's ``language: en``); without this module Django would
format ``en`` the American way.
"""

from django.conf.locale.en_GB.formats import *  # noqa: F403

# The portal's times are on the 24-hour clock ("25 Oct 2006, 14:30"), as its pages always showed them.
DATETIME_FORMAT = "j M Y, H:i"
