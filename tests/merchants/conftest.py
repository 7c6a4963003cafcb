import csv
import io

import pytest

from merchants.csv_import import COLUMNS

IMPORT_URL = "/api/v1/products/import/"


def product_row(**overrides) -> dict:
    row = {
        "sku": "DRESS-001",
        "title": "Linen midi dress",
        "category": "dresses",
        "brand": "Yunshang",
        "price": "199.00",
        "stock": "120",
        "sample_stock": "5",
        "storefront_url": "https://shop.example.com/item/1",
        "image_url": "https://img.example.com/1.jpg",
        "status": "active",
    }
    row.update(overrides)
    return row


def csv_text(rows: list[dict], columns=COLUMNS) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def generated_rows(count: int, prefix: str = "GEN") -> list[dict]:
    return [
        product_row(
            sku=f"{prefix}-{n:05d}",
            title=f"Generated item {n}",
            price=f"{10 + n % 90}.50",
            stock=str(n % 50),
            storefront_url=f"https://shop.example.com/item/{n}",
        )
        for n in range(count)
    ]


@pytest.fixture
def post_csv(api):
    """POST a CSV body as a merchant; returns the response."""

    def post(user, content: str | bytes, content_type: str = "text/csv"):
        data = content.encode() if isinstance(content, str) else content
        return api.as_member(user).post(IMPORT_URL, data=data, content_type=content_type)

    return post
