/**
 * Nova: a clustered WebSocket client gateway for exchange market data.
 *
 * <p>Sub-packages are cut by feature: {@code config} reads and validates MicroProfile Config, {@code platform}
 * is the only code that knows exchange JSON, {@code connection} owns the live Tyrus sessions, {@code client} and
 * {@code subscription} hold the registries, {@code stream} delivers market data, {@code api} and {@code health}
 * face operators. This package holds only what every feature shares: {@link dev.nova.NovaException}.
 */
package dev.nova;
