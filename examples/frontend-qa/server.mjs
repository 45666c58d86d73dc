// The same QA for a Node back end: @segment/analytics-node sends to
// `eventsc serve` instead of Segment (host: the collector's address).
//
//   eventsc serve ../ecommerce &
//   node server.mjs
//
// Environment: COLLECTOR (default http://127.0.0.1:8787).
import { Analytics } from '@segment/analytics-node';

const analytics = new Analytics({
  writeKey: 'qa-write-key',
  host: process.env.COLLECTOR ?? 'http://127.0.0.1:8787',
  flushAt: 5,
});
analytics.on('error', (e) => { console.error(e); process.exitCode = 1; });

const order = {
  checkout_id: '0b5f9a3e-8c1d-4a7e-9f2b-6d3c1e0a4b5f',
  order_id: '50314b8e9bcf000000000000',
  revenue: 25, shipping: 3, tax: 2, discount: 2.5, subtotal: 22.5, total: 27.5, currency: 'USD',
  products: [{ product_id: '507f1f77bcf86cd799439011', sku: 'G-32', name: 'Monopoly: 3rd Edition', price: 18.99, quantity: 1 }],
};
analytics.identify({ userId: 'user-1', traits: { email: 'ada@example.com', loyalty_tier: 'gold', created_at: '2026-01-05T10:00:00Z' } });
analytics.track({ userId: 'user-1', event: 'Order Completed', properties: order });
// Broken on purpose: a misspelt property and an order id of the wrong shape.
analytics.track({ userId: 'user-1', event: 'Order Completed', properties: { ...order, order_id: 'A-1', revenu: 25 } });
analytics.track({ anonymousId: 'anon-1', event: 'Order Refunded', properties: { order_id: '50314b8e9bcf000000000000' } });
await analytics.closeAndFlush();
