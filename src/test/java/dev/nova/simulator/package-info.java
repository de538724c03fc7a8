/**
 * An exchange simulator for tests, benchmarks and the offline demo: one WebSocket server speaking the subsets of
 * Deribit JSON-RPC ({@code /ws/api/v2}) and Binance combined streams ({@code /stream}) that Nova uses, with
 * frames shaped like the examples in the exchanges' documentation. Sequence numbers are global per channel and
 * shared by every session, as at a real exchange, so gaps and duplicates across reconnects are real. It enforces
 * what the exchanges enforce (heartbeats, credit and message limits, stream caps, connection limits) and
 * misbehaves on command (abrupt disconnects, malformed frames, a frozen feed).
 *
 * <p>The WebSocket layer is written here on plain sockets on purpose: a simulator must drop TCP connections
 * without a close frame, send malformed frames and push pre-encoded frames at full speed, which a WebSocket
 * library is built to prevent. It runs outside the Nova server (in the test JVM or as its own process) and is
 * not part of the WAR.
 */
package dev.nova.simulator;
