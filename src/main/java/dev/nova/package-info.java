/**
 * Nova: a clustered WebSocket client gateway for exchange market data. One package per feature, in layers; a package
 * uses only packages below it ({@code dev.nova.ArchitectureTest} keeps it so, and names exactly which):
 *
 * <ol>
 *   <li>{@code api}, {@code health}: what operators and consumers reach (REST, Server-Sent Events, health);
 *   <li>{@code boot}: starting the node (settings, declared clients) and the one observer of cluster views;
 *   <li>{@code client}: the operator's intents (create, delete, stop, restart, subscribe);
 *   <li>{@code ownership}: who runs each client (placement, fencing, failover, takeover, transfer);
 *   <li>{@code connection}: the exchange sessions of the clients this node runs;
 *   <li>{@code ratelimit}: the exchanges' limits, shared by the cluster;
 *   <li>{@code stream} (delivery to consumers, here and on other nodes) beside {@code subscription} (the registry);
 *   <li>{@code cluster}: the transport (caches, views and quorum, the bus); it knows no feature;
 *   <li>{@code telemetry}: cluster events, fired for whoever shows them;
 *   <li>{@code model}: the values every feature shares;
 *   <li>{@code platform}: the only code that knows exchange JSON;
 *   <li>{@code config}, {@code concurrency} and this package ({@code NovaException}): leaves.
 * </ol>
 */
package dev.nova;
