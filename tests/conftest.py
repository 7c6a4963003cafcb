import importlib
import uuid

import pytest
from django.conf import settings
from django.core.cache import caches
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Organisation, Role
from config.celery import app
from tests.factories import OperatorFactory, OrganisationFactory, UserFactory


@pytest.fixture(autouse=True)
def isolated_cache_and_fast_hashing(settings):
    """Each test gets its own cache namespace, so a shared Redis never leaks state between tests
    (allauth's login rate limits live in the cache)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    prefix = f"test-{uuid.uuid4().hex}"
    cache_settings = {alias: dict(config) for alias, config in settings.CACHES.items()}
    for config in cache_settings.values():
        config["KEY_PREFIX"] = prefix
    settings.CACHES = cache_settings
    yield
    for alias in settings.CACHES:
        caches[alias].close()


@pytest.fixture(autouse=True, scope="session")
def own_task_queue():
    """With Redis, tasks a test sends after a real commit (a notice's mail, an import) go to a
    queue of this run's own, deleted at the end: no worker of this machine takes them, and none
    is left behind. The real-worker test names its queue itself."""
    if not settings.REDIS_URL:
        yield
        return
    queue = f"pytest-{uuid.uuid4().hex[:12]}"
    before = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    yield
    app.conf.task_default_queue = before
    with app.connection_for_write() as connection:
        connection.default_channel.client.delete(queue)


@pytest.fixture(autouse=True)
def seeded_categories(request):
    """Tests on transactional_db start from a flushed database, which loses the categories the
    data migration seeded; put them back so factories find them."""
    if "transactional_db" not in request.fixturenames:
        return
    request.getfixturevalue("transactional_db")
    from django.apps import apps

    seed = importlib.import_module("merchants.migrations.0002_seed_categories").seed
    seed(apps, None)


class MemberClient(APIClient):
    def as_member(self, user) -> "MemberClient":
        token, _ = Token.objects.get_or_create(user=user)
        self.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return self


@pytest.fixture
def api() -> MemberClient:
    return MemberClient()


@pytest.fixture
def member_factory(db):
    """A user in a fresh organisation of the given role (active unless told otherwise)."""

    def make(role: str = Role.MERCHANT, status: str = Organisation.Status.ACTIVE, **kwargs):
        organisation = kwargs.pop("organisation", None) or OrganisationFactory(
            role=role, status=status
        )
        return UserFactory(organisation=organisation, **kwargs)

    return make


@pytest.fixture
def merchant(member_factory):
    return member_factory(Role.MERCHANT)


@pytest.fixture
def buyer(member_factory):
    return member_factory(Role.BUYER)


@pytest.fixture
def provider(member_factory):
    return member_factory(Role.PROVIDER)


@pytest.fixture
def pending_provider(member_factory):
    return member_factory(Role.PROVIDER, status=Organisation.Status.PENDING)


@pytest.fixture
def operator(db):
    return OperatorFactory()


def uses_postgresql() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
