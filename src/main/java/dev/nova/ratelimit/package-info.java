/**
 * Rate limiting of everything Nova sends to an exchange. Every outbound frame and every connect passes one
 * {@link dev.nova.ratelimit.OutboundGate}; the cluster-wide limiter with the exchanges' cost models plugs in
 * behind that interface. Until it lands, {@link dev.nova.ratelimit.UnlimitedGate} admits everything at once.
 */
package dev.nova.ratelimit;
