/**
 * The subscription registry: which channels each client must hold at its exchange, whether each subscription
 * survives its owner ({@code persistent}), and the ids callers use to remove them. The registry is the intent;
 * the owner node's sessions are the reality, and they are made to follow the registry.
 */
package dev.nova.subscription;
