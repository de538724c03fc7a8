/**
 * What Nova tells operators about itself beyond logs: MicroProfile Metrics per client (messages, gaps,
 * duplicates, reconnects, connected) and per stream (consumers, consumers dropped by reason), scraped at
 * {@code /metrics}.
 */
package dev.nova.telemetry;
