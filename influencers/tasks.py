from celery import shared_task

from influencers.services.sample_deadlines import sweep_late_sample_requests as sweep


@shared_task(name="influencers.tasks.sweep_late_sample_requests")
def sweep_late_sample_requests() -> dict[str, int]:
    return sweep()
