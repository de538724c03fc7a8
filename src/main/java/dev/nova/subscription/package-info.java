/**
 * The subscription registry: which channels each client must hold at its exchange, whether each subscription
 * survives its owner ({@code persistent}), and the ids callers use to remove them. The registry is the intent; the
 * owner node's sessions are made to follow it.
 */
package dev.nova.subscription;
