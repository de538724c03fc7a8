package dev.nova.model;

/**
 * CDI event: a client's state changed on the node that runs it.
 *
 * @param detail why, when known (e.g. the reason a session was lost); may be null
 * @param at epoch milliseconds
 */
public record ClientStateChanged(String client, ClientState state, String detail, String node, long at) {}
