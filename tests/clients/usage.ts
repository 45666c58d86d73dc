// How an app uses the generated client of examples/ecommerce, type-checked by
// tests/it/clients.rs with `tsc --strict`: the real analytics libraries bind,
// correct calls compile, and each wrong call is an error (an unused
// `@ts-expect-error` fails the check).
import { Analytics } from "@segment/analytics-node";
import { AnalyticsBrowser } from "@segment/analytics-next";
import * as t from "./plan_examples_ecommerce/typescript/tracking";

export function usage(): void {
  // Both libraries bind: the browser one and the server one.
  t.setAnalytics(AnalyticsBrowser.load({ writeKey: "w" }));
  t.setAnalytics(new Analytics({ writeKey: "w" }), {
    onViolation: (v: t.Violation) => {
      throw new Error(`${v.call} ${v.path}: ${v.message}`);
    },
    consent: (purpose: t.ConsentPurpose) => purpose !== "advertising",
  });

  const product: t.Product = { product_id: "p1", sku: "G-32", name: "Monopoly", price: 18.99 };
  t.productViewed({ ...product, currency: "USD", value: 18.99 }, { userId: "u1" });
  t.productsSearched({ query: "blue roses" }, { anonymousId: "a1", timestamp: new Date() });
  t.identify("u1", { email: "a@example.com", loyalty_tier: "gold", created_at: new Date(), phone: null });

  // @ts-expect-error a misspelt event
  t.productViewd({ ...product, currency: "USD" });
  // @ts-expect-error a missing required property (currency)
  t.productViewed({ ...product });
  // @ts-expect-error a wrong enum value
  t.productViewed({ ...product, currency: "EUR" });
  // @ts-expect-error a wrong type (price is a number)
  t.productViewed({ ...product, price: "18.99", currency: "USD" });
  // @ts-expect-error a property the plan does not have
  t.productsSearched({ query: "roses", sort: "price" });
  // @ts-expect-error null where the property is not nullable
  t.productsSearched({ query: null });
  // @ts-expect-error a list where the plan wants one value
  t.identify("u1", { email: ["a@example.com"], loyalty_tier: "gold", created_at: "2026-01-01T00:00:00Z" });
  // @ts-expect-error a required trait is missing (loyalty_tier)
  t.identify("u1", { email: "a@example.com", created_at: new Date() });
  // @ts-expect-error a nested enum value the plan does not have
  t.identify("u1", { email: "a@example.com", loyalty_tier: "gold", created_at: new Date(), address: { country: "FR" } });
  // @ts-expect-error the consent hook takes the plan's purposes only
  t.setAnalytics(new Analytics({ writeKey: "w" }), { consent: (purpose: "marketing") => purpose === "marketing" });
  // @ts-expect-error an object that is not an analytics instance
  t.setAnalytics({ track: () => undefined });
}
