/**
 * MicroProfile Health checks, one concern each: liveness (the node's timers still tick), readiness (the clients
 * declared in configuration are connected, or reconnecting within policy), startup (configuration validated and
 * declared clients created). Each reports its evidence with {@code withData}.
 */
package dev.nova.health;
