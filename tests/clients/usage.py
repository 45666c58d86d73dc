"""How a service uses the generated client of examples/ecommerce, type-checked by
tests/it/clients.rs with `mypy --strict`: the real library binds, correct calls
pass, and each wrong call is an error (an unused `type: ignore` fails the check).
"""

import datetime

from segment import analytics  # type: ignore[import-untyped]
from segment.analytics import Client  # type: ignore[import-untyped]

from plan_examples_ecommerce import tracking as t


def usage() -> None:
    t.set_analytics(analytics)
    t.set_analytics(
        Client("w"),
        on_violation=lambda v: print(v.call, v.path, v.message),
        consent=lambda purpose: purpose != "advertising",
    )
    product: t.Product = {"product_id": "p1", "sku": "G-32", "name": "Monopoly", "price": 18.99}
    t.product_viewed({**product, "currency": "USD", "value": 18.99}, user_id="u1")
    t.products_searched({"query": "blue roses"}, anonymous_id="a1", timestamp=datetime.datetime.now())
    t.identify("u1", {"email": "a@example.com", "loyalty_tier": "gold", "created_at": datetime.datetime.now(), "phone": None})

    t.product_viewd({**product, "currency": "USD"})  # type: ignore[attr-defined]
    t.products_searched({"result_count": 3})  # type: ignore[typeddict-item]
    t.products_searched({"query": "roses", "result_count": "3"})  # type: ignore[typeddict-item]
    t.products_searched({"query": "roses", "sort": "price"})  # type: ignore[typeddict-unknown-key]
    t.products_searched({"query": None})  # type: ignore[typeddict-item]
    t.identify("u1", {"email": "a@example.com", "loyalty_tier": "platinum", "created_at": "2026-01-01T00:00:00Z"})  # type: ignore[typeddict-item]
    t.identify("u1", {"email": "a@example.com", "created_at": datetime.datetime.now()})  # type: ignore[typeddict-item]
    t.products_searched({"query": "roses"}, user_id=42)  # type: ignore[arg-type]
    t.products_searched({"query": "roses"}, timestamp="2026-01-01")  # type: ignore[arg-type]
    t.products_searched({"query": "roses"}, userid="u1")  # type: ignore[call-arg]
    t.set_analytics(analytics, consent=lambda purpose: purpose == 3)  # type: ignore[comparison-overlap]
