/**
 * Delivery of market data to consumers: a CDI event per {@code MarketMessage}, Server-Sent Events on
 * {@code GET /api/stream} and {@code /api/events}, on every node. Exchange sessions only ever enqueue: each consumer
 * has a bounded {@code DeliveryLane}, so a slow consumer is dropped (counted, with a reason) while the session and the
 * other consumers carry on. The owner of a client forwards each message to the nodes that registered interest in its
 * channel ({@code Forwarder}, {@code Interests}); cluster events reach every node's streams ({@code EventRelay}).
 */
package dev.nova.stream;
