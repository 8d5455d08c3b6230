import pytest


@pytest.fixture(autouse=True)
def _eager_celery():
    """Tasks run in the test's process unless the test brings ``celery_worker``.

    (The base settings turn eager mode off whenever REDIS_URL is set, which a
    run with the worker tests has.) ``celery_worker`` switches it off for its test.
    """
    from config.celery_app import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager
