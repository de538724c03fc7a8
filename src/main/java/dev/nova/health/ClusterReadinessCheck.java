package dev.nova.health;

import dev.nova.cluster.ClusterRuntime;
import dev.nova.cluster.ViewHistory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once the node has joined the cluster and received the state of its caches, and while its view holds
 * quorum of the last stable view (a node on a minority side must not be served traffic).
 */
@Readiness
@ApplicationScoped
public class ClusterReadinessCheck implements HealthCheck {

    private final ClusterRuntime cluster;

    @Inject
    public ClusterReadinessCheck(ClusterRuntime cluster) {
        this.cluster = cluster;
    }

    protected ClusterReadinessCheck() {
        this(null);
    }

    @Override
    public HealthCheckResponse call() {
        boolean joined = cluster.joined();
        ViewHistory.Snapshot view = cluster.view();
        return HealthCheckResponse.named("nova-cluster")
                .status(joined && view.quorum())
                .withData("joined", joined)
                .withData("clustered", cluster.clustered())
                .withData("members", String.join(",", cluster.members()))
                .withData("quorum", view.quorum())
                .build();
    }
}
