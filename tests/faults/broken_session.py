"""A session store whose database is gone, for tests/faults/test_database_unavailable.py."""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import OperationalError


class SessionStore(DatabaseSessionStore):
    def save(self, must_create=False):
        raise OperationalError("server closed the connection unexpectedly")
