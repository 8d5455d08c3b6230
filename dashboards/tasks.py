from celery import shared_task

from dashboards import services


@shared_task(ignore_result=True, acks_late=True, expires=25)
def refresh_dashboards() -> int:
    """Every 30 seconds (CELERY_BEAT_SCHEDULE): keep the dashboard snapshots fresh."""
    return services.snapshots_refresh_warm()
