from celery import shared_task


@shared_task(name="marketplace.trending_refresh", ignore_result=True)
def trending_refresh_task() -> None:
    """Installs of the last 7 days per template, so "trending" forgets old installs."""
    from apps.marketplace.services import template_trending_refresh

    template_trending_refresh()
