"""The catalog: Tailor's mirror of the shop's products, variants, stock and prices.

One item per product (variants inside), keyed by product id. Products on sale carry a
`promoted` attribute so a sparse index lists them without a scan. Buyers' co-purchases are
counted in their own table, one item per ordered pair of products.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from boto3.dynamodb.conditions import Key

from tailor import aws
from tailor.events.canonical import Product, Variant
from tailor.links import shop_url

if TYPE_CHECKING:
    from tailor.settings import Settings

PROMOTED_INDEX = "promoted"
HANDLE_INDEX = "handle"
MAX_PAIRED_PRODUCTS = 20


def product_page(product: Product, settings: Settings) -> str:
    """The product's page: its URL when that is on the shop's own domain, else the page
    Shopify serves for its handle on the shop's base URL."""
    handle = quote(product.handle, safe="")
    return shop_url(product.url, settings) or f"{settings.shop_base_url}/products/{handle}"


class Catalog:
    def __init__(self, table_name: str, copurchase_table_name: str = "") -> None:
        self._table = aws.table(table_name)
        self._pairs = aws.table(copurchase_table_name) if copurchase_table_name else None

    def save(self, product: Product) -> bool:
        """Store the product unless a newer version is already stored (webhooks reorder)."""
        item: dict[str, Any] = product.model_dump(mode="json")
        item["updated_at"] = product.updated_at.astimezone(UTC).isoformat()
        if product.listed and any(v.on_sale and v.in_stock for v in product.variants):
            item["promoted"] = "1"
        return aws.written(
            self._table.put_item,
            Item=item,
            ConditionExpression="attribute_not_exists(product_id) OR updated_at <= :at",
            ExpressionAttributeValues={":at": item["updated_at"]},
        )

    def get(self, product_id: str) -> Product | None:
        item = self._table.get_item(Key={"product_id": product_id}).get("Item")
        return Product.model_validate(item) if item else None

    def buyable(self, product_id: object, variant_id: object) -> tuple[Product, Variant] | None:
        """The product and variant a link names, if the product sells and it is in stock."""
        product = self.get(str(product_id))
        if product is None or not product.purchasable:
            return None
        variant = product.variant(variant_id) if isinstance(variant_id, str) else None
        return (product, variant) if variant is not None and variant.in_stock else None

    def get_many(self, product_ids: Iterable[str]) -> dict[str, Product]:
        keys = [{"product_id": pid} for pid in dict.fromkeys(product_ids)]
        products = (Product.model_validate(item) for item in aws.batch_get(self._table, keys))
        return {product.product_id: product for product in products}

    def promoted(self, limit: int = 25) -> list[str]:
        response = self._table.query(
            IndexName=PROMOTED_INDEX,
            KeyConditionExpression=Key("promoted").eq("1"),
            Limit=limit,
            ProjectionExpression="product_id",
        )
        return [str(item["product_id"]) for item in response["Items"]]

    def ids_for_handles(self, handles: Iterable[str]) -> dict[str, str]:
        """Product ids by handle (merchants name pairings by handle)."""
        found: dict[str, str] = {}
        for handle in sorted(set(handles)):
            response = self._table.query(
                IndexName=HANDLE_INDEX,
                KeyConditionExpression=Key("handle").eq(handle),
                ProjectionExpression="product_id",
                Limit=1,
            )
            if response["Items"]:
                found[handle] = str(response["Items"][0]["product_id"])
        return found

    def record_copurchase(self, product_ids: Iterable[str]) -> None:
        """Count each pair of distinct products bought together, both ways."""
        if self._pairs is None:
            raise RuntimeError("catalog was created without a co-purchase table")
        distinct = sorted(set(product_ids))[:MAX_PAIRED_PRODUCTS]
        for product_id in distinct:
            for other in distinct:
                if other != product_id:
                    self._pairs.update_item(
                        Key={"product_id": product_id, "paired_id": other},
                        UpdateExpression="ADD bought_together :one",
                        ExpressionAttributeValues={":one": 1},
                    )

    def bought_with(self, product_id: str, limit: int = 1000) -> dict[str, int]:
        """Products bought with this one (up to `limit`), with how many orders held both."""
        if self._pairs is None:
            raise RuntimeError("catalog was created without a co-purchase table")
        counts: dict[str, int] = {}
        query: dict[str, Any] = {"KeyConditionExpression": Key("product_id").eq(product_id)}
        while len(counts) < limit:
            response = self._pairs.query(**query)
            counts.update(
                {str(i["paired_id"]): int(str(i["bought_together"])) for i in response["Items"]}
            )
            if "LastEvaluatedKey" not in response:
                break
            query["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return counts
