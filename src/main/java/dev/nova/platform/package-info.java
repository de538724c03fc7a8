/**
 * The seam between Nova and the exchanges. {@link dev.nova.platform.PlatformAdapter} is the only interface the
 * rest of Nova uses to talk to an exchange; {@code platform.deribit} and {@code platform.binance} are the only
 * places that know exchange JSON. Inbound frames are decoded into the closed set
 * {@link dev.nova.platform.InboundFrame}; per-channel sequence numbers are extracted here so that
 * {@link dev.nova.platform.SequenceTracker} can flag gaps and drop duplicates whatever the exchange.
 */
package dev.nova.platform;
