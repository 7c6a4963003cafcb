"""gunicorn's settings for the web service (docker-compose.yml, bin/rehearse), from the
environment: ``gunicorn --config config/gunicorn.py config.wsgi:application``."""

import os

# Inside a container every interface is the container's own; the proxy reaches it there.
bind = [f"{os.getenv('WEB_HOST', '0.0.0.0')}:{os.getenv('WEB_PORT', '8000')}"]  # noqa: S104
# Each worker holds at most one database connection: replicas x WEB_WORKERS is what the
# web service asks of PgBouncer (README, "Connections").
workers = int(os.getenv("WEB_WORKERS", "3"))
accesslog = "-"
# Worker heartbeats on memory, not on the container's overlay file system.
worker_tmp_dir = "/dev/shm"  # noqa: S108 (a directory gunicorn owns, not a shared temp file)
