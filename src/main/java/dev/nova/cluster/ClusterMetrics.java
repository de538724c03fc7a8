package dev.nova.cluster;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.metrics.MetricRegistry;

/**
 * The cluster gauges of {@code /metrics}: {@code nova_cluster_paused} (1 while this node's side holds no quorum: alert
 * on it), {@code nova_cluster_members} (this node's view) and {@code nova_cluster_members_missing} (members of the
 * reference membership missing from it).
 */
@ApplicationScoped
public class ClusterMetrics {

    private final MetricRegistry registry;
    private final ClusterRuntime cluster;

    @Inject
    public ClusterMetrics(MetricRegistry registry, ClusterRuntime cluster) {
        this.registry = registry;
        this.cluster = cluster;
    }

    protected ClusterMetrics() {
        this(null, null);
    }

    @PostConstruct
    void start() {
        registry.gauge(
                "nova.cluster.paused", cluster, c -> c.clustered() && !c.view().quorum() ? 1 : 0);
        registry.gauge("nova.cluster.members", cluster, c -> c.view().current().size());
        registry.gauge(
                "nova.cluster.members.missing", cluster, c -> c.view().missing().size());
    }

    /** Registers the gauges at startup, so that they are scraped before anything else uses this bean. */
    void onStart(@Observes @Initialized(ApplicationScoped.class) Object event) {
        // Instantiating the bean is enough: @PostConstruct registers the gauges.
    }
}
