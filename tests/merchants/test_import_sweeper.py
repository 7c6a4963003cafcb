from datetime import timedelta

import pytest
from django.utils import timezone

from merchants.models import Product, ProductImport
from merchants.tasks import sweep_stalled_imports

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def eager_celery(settings):
    """The resent task runs here in-process, with or without REDIS_URL."""
    settings.CELERY_TASK_ALWAYS_EAGER = True


CSV = "sku,title,category,price,stock,storefront_url\nA-1,Linen dress,dresses,199.00,5,https://s.example.com/1\n"


def stalled(merchant, status, minutes_ago, **fields):
    product_import = ProductImport.objects.create(
        merchant=merchant.organisation, content=CSV, total_rows=1, status=status, **fields
    )
    ProductImport.objects.filter(pk=product_import.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return product_import


def test_a_lost_message_is_sent_again_and_the_import_runs(merchant):
    lost = stalled(merchant, "queued", minutes_ago=10)
    fresh = stalled(merchant, "queued", minutes_ago=1)

    assert sweep_stalled_imports() == {"revived": 0, "resent": 1}

    lost.refresh_from_db()
    assert lost.status == "succeeded"
    assert Product.objects.get(merchant=merchant.organisation).sku == "A-1"
    fresh.refresh_from_db()
    assert fresh.status == "queued"


def test_a_run_whose_worker_died_is_put_back_and_finished(merchant):
    dead = stalled(
        merchant, "running", minutes_ago=60, started_at=timezone.now() - timedelta(minutes=45)
    )
    alive = stalled(merchant, "running", minutes_ago=60, started_at=timezone.now())

    assert sweep_stalled_imports() == {"revived": 1, "resent": 1}

    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.status == "succeeded"
    assert alive.status == "running"
    assert sweep_stalled_imports() == {"revived": 0, "resent": 0}
