"""Celery tasks of tracking, orders and money: thin shells over services, safe to run twice."""

# --- links and clicks -------------------------------------------------------

# --- orders and attribution -------------------------------------------------
