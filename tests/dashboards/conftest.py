import pytest

from dashboards.selectors import recent_snapshots
from dashboards.views import rendered_bodies


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """Each test starts without the snapshots and rendered pages an earlier test left in this process."""
    recent_snapshots.clear()
    rendered_bodies.clear()
    yield
    recent_snapshots.clear()
    rendered_bodies.clear()
