package dev.nova.boot;

import dev.nova.client.DeclaredClient;
import dev.nova.cluster.ClusterSettings;
import dev.nova.cluster.DataSettings;
import dev.nova.cluster.NodeSettings;
import dev.nova.connection.ConnectionSettings;
import dev.nova.connection.ExchangeTls;
import dev.nova.ownership.DrainSettings;
import dev.nova.ownership.ExchangeRegions;
import dev.nova.ownership.FailoverSettings;
import dev.nova.ownership.LoadBalancing;
import dev.nova.platform.Platform;
import dev.nova.platform.PlatformCatalog;
import dev.nova.platform.SecretBox;
import dev.nova.ratelimit.RateLimitSettings;
import dev.nova.stream.StreamSettings;
import java.util.List;
import java.util.Map;

/**
 * Every setting of this node, read and validated at once at startup: each section is read by its feature
 * ({@code ClusterSettings.read}, …); this record only holds them together.
 *
 * @param node this node's name and region
 * @param cluster how this node joins the cluster
 * @param data where this node keeps the cluster's records on disk
 * @param failover how clients move between nodes
 * @param drain how a node moves its clients away before it stops
 * @param exchanges the regions of each exchange, for placement
 * @param loadBalancing how clients are moved between members after placement
 * @param platforms adapters and default endpoints of the exchanges
 * @param exchangeTls how sessions to the exchanges are secured, and where credentials may travel
 * @param rateLimits the exchanges' limits and the share of them Nova uses
 * @param secrets seals and opens the clients' exchange secrets, with keys derived from the cluster secret
 * @param clients clients declared in configuration, created at startup
 */
public record NovaSettings(
        NodeSettings node,
        ClusterSettings cluster,
        DataSettings data,
        FailoverSettings failover,
        DrainSettings drain,
        Map<Platform, ExchangeRegions> exchanges,
        LoadBalancing loadBalancing,
        PlatformCatalog platforms,
        ConnectionSettings connection,
        ExchangeTls exchangeTls,
        StreamSettings stream,
        RateLimitSettings rateLimits,
        SecretBox secrets,
        List<DeclaredClient> clients) {}
