"""Real threads racing each other on PostgreSQL: the one harness the concurrency tests share."""

import threading

from django.db import connection

from core.errors import DomainError


def run_together(*works, timeout: float = 60) -> list:
    """Start every work at the same moment, each in its own thread with its own database
    connection; returns, in the order given, what each returned or the DomainError it was
    refused with. Any other exception fails the test, raised again here."""
    barrier = threading.Barrier(len(works))
    outcomes: list = [None] * len(works)

    def run(index, work):
        try:
            barrier.wait()
            outcomes[index] = work()
        except Exception as error:  # judged below, once every thread is done
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair, daemon=True) for pair in enumerate(works)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    stuck = sum(thread.is_alive() for thread in threads)
    if stuck:
        raise AssertionError(f"{stuck} of {len(threads)} threads stuck after a {timeout}s join")
    for outcome in outcomes:
        if isinstance(outcome, Exception) and not isinstance(outcome, DomainError):
            raise outcome
    return outcomes
