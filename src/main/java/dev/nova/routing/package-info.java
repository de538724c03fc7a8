/**
 * Where clients run: the region each exchange is nearest to ({@code nova.exchanges.<platform>.primary-region}) and
 * its failover regions, and {@link dev.nova.routing.Placement}, which picks the node for a client from them.
 */
package dev.nova.routing;
