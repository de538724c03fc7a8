/**
 * Deribit's JSON-RPC 2.0 over WebSocket ({@code /ws/api/v2}): {@code public/subscribe}, {@code public/auth} with
 * {@code client_credentials}, {@code public/set_heartbeat} and the {@code test_request} / {@code public/test}
 * exchange, {@code subscription} notifications, and the sequence numbers that reveal gaps: book
 * {@code change_id} / {@code prev_change_id} and trades {@code trade_seq}. Nothing outside this package knows
 * these names.
 */
package dev.nova.platform.deribit;
