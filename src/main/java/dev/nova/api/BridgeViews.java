package dev.nova.api;

import dev.nova.api.Dtos.BridgeView;
import dev.nova.cluster.Bridges;
import dev.nova.subscription.SubscriptionRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;

/** The bridged clusters as {@code GET /api/cluster} and its health show them. */
@ApplicationScoped
public class BridgeViews {

    private final Bridges bridges;
    private final SubscriptionRegistry subscriptions;

    @Inject
    public BridgeViews(Bridges bridges, SubscriptionRegistry subscriptions) {
        this.bridges = bridges;
        this.subscriptions = subscriptions;
    }

    protected BridgeViews() {
        this(null, null);
    }

    public List<BridgeView> all() {
        return bridges.statuses().stream()
                .map(s -> new BridgeView(
                        s.cluster(),
                        s.online() ? "online" : "offline",
                        subscriptions.bridgedCount(s.cluster()),
                        s.lastUpdateAt(),
                        s.since()))
                .toList();
    }

    public int online() {
        return bridges.online();
    }

    public int total() {
        return bridges.clusters().size();
    }
}
