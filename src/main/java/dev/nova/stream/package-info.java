/**
 * Delivery of market data to consumers on this node: a CDI event per {@link dev.nova.stream.MarketMessage} and
 * Server-Sent Events on {@code GET /api/stream}. Exchange sessions only ever enqueue: each consumer has a bounded
 * {@link dev.nova.stream.DeliveryLane} drained on the delivery pool, so a slow consumer fills its own buffer and
 * is dropped (counted, with a reason) while the exchange session and the other consumers carry on.
 */
package dev.nova.stream;
