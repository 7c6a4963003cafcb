"""Celery tasks of matchmaking: thin shells over services, safe to run twice."""

from celery import shared_task  # noqa: F401  (tasks are added below by area)

# --- campaigns and enrollments ---------------------------------------------

# --- change requests --------------------------------------------------------
