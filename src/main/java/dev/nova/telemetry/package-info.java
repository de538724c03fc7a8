/**
 * What Nova tells operators happened and how it is doing: {@link dev.nova.telemetry.ClusterEvent}s (node joined or
 * left, subscriptions synchronized) fired as CDI events, streamed on {@code GET /api/events} and counted, and
 * MicroProfile Metrics per client (messages, gaps, duplicates, reconnects, connected) and per stream (consumers,
 * consumers dropped by reason), scraped at {@code /metrics}.
 */
package dev.nova.telemetry;
