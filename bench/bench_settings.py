"""The project's settings with the redirect benchmark's urlconf (``/bare/<code>`` added).

Only bench/bench_redirect.py uses it, for the gunicorn it starts:
``--env DJANGO_SETTINGS_MODULE=bench.bench_settings``. Everything else is config.settings, read
from the same environment variables.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bare_redirect_urls"
