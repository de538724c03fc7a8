package dev.nova.cluster;

import dev.nova.concurrency.NovaExecutors;
import dev.nova.concurrency.SerialExecutor;
import dev.nova.model.NodeIdentity;
import dev.nova.telemetry.ClusterEvent;
import dev.nova.telemetry.ClusterEvents;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.config.Config;

/**
 * Keeps the {@code nodes} cache in step with the view: each node writes its own {@link NodeRecord} when it
 * starts and again after a merge (the other side may have removed it); the coordinator removes the records of
 * members that left. Each node reports the members it sees join and leave, and its side losing and regaining quorum
 * ({@code nova.cluster.partition.detected} / {@code healed}), as cluster events. The writes of a view
 * change go on a lane of their own: a replicated write waits while the cache settles into the new view, and the
 * features told of the view after this one must not wait for it.
 */
@ApplicationScoped
public class NodeDirectory {

    private final ClusterRuntime cluster;
    private final ClusterEvents events;
    private final Config config;
    private final NovaExecutors executors;
    private SerialExecutor writes;
    /** Whether the last view this node was told of held quorum (views arrive one at a time, on the view lane). */
    private volatile boolean hadQuorum = true;
    /** Whether this node is being drained: its record says so, also when written again after a merge. */
    private volatile boolean draining;

    private final SealingKey sealingKey;

    @Inject
    public NodeDirectory(
            ClusterRuntime cluster,
            ClusterEvents events,
            Config config,
            NovaExecutors executors,
            SealingKey sealingKey) {
        this.cluster = cluster;
        this.events = events;
        this.config = config;
        this.executors = executors;
        this.sealingKey = sealingKey == null ? SealingKey.NONE : sealingKey;
    }

    protected NodeDirectory() {
        this(null, null, null, null, null);
    }

    /** What {@link #sealingKeys} gives for a member whose record is not there yet. */
    public static final String NOT_YET = "?";

    /**
     * The sealing keys the given members name, by member ({@code ""} for none, {@link #NOT_YET} for a member whose
     * record is not there yet).
     */
    public Map<String, String> sealingKeys(List<String> members) {
        Map<String, String> keys = new TreeMap<>();
        for (String member : members) {
            NodeRecord record = cluster.nodes().get(member);
            keys.put(member, record == null ? NOT_YET : record.sealingKey() == null ? "" : record.sealingKey());
        }
        return keys;
    }

    @PostConstruct
    void start() {
        writes = new SerialExecutor(executors.control(), "nodes");
    }

    /** Writes this node's record; called once at startup. */
    public void register() {
        NodeIdentity self = cluster.identity();
        cluster.nodes().put(self.name(), record(self));
        events.publish(
                ClusterEvent.NODE_JOINED,
                self.name(),
                null,
                null,
                "this node, one of " + cluster.members().size() + " member(s)");
    }

    private NodeRecord record(NodeIdentity self) {
        ClusterSettings settings = cluster.settings();
        String host = settings.enabled()
                ? (settings.externalAddress() != null ? settings.externalAddress() : settings.bindAddress())
                : "localhost";
        int port = config.getOptionalValue("http.port", Integer.class).orElse(9080);
        return NodeRecord.of(
                        self.name(), self.region(), "http://" + host + ":" + port, self.incarnation(), sealingKey.id())
                .draining(draining);
    }

    /**
     * Says in this node's record whether it is being drained (every member then keeps clients off it); returns once
     * the record is written.
     */
    public CompletableFuture<Void> draining(boolean now) {
        draining = now;
        CompletableFuture<Void> written = new CompletableFuture<>();
        writes.execute(() -> {
            try {
                cluster.nodes().put(cluster.identity().name(), record(cluster.identity()));
                written.complete(null);
            } catch (RuntimeException e) {
                written.completeExceptionally(e);
            }
        });
        return written;
    }

    /**
     * A new view: reports the members that joined and left, removes the records of those that left (the
     * coordinator) and writes this node's own again after a merge (the other side may have removed it).
     */
    public void viewChanged(MembershipChanged change) {
        NodeIdentity self = cluster.identity();
        ViewHistory.Snapshot view = change.view();
        if (hadQuorum && !view.quorum()) {
            events.publish(
                    ClusterEvent.PARTITION_DETECTED,
                    self.name(),
                    null,
                    null,
                    "view " + view.current() + " holds no quorum of " + view.stable() + " ("
                            + cluster.settings().partitionHandling().value() + "): this node pauses");
        } else if (!hadQuorum && view.quorum()) {
            events.publish(
                    ClusterEvent.PARTITION_HEALED,
                    self.name(),
                    null,
                    null,
                    "view " + view.current() + " holds quorum of " + view.stable());
        }
        hadQuorum = view.quorum();
        for (String joined : change.joined()) {
            if (!joined.equals(self.name())) {
                events.publish(ClusterEvent.NODE_JOINED, joined, null, null, change.merge() ? "merged" : null);
            }
        }
        for (String left : change.left()) {
            events.publish(
                    ClusterEvent.NODE_LEFT,
                    left,
                    null,
                    null,
                    change.view().quorum()
                            ? null
                            : "this side holds no quorum of " + change.view().stable());
        }
        // A side without quorum writes nothing: the records it would remove are those of the majority's members.
        boolean coordinator = cluster.isCoordinator() && view.quorum();
        writes.execute(() -> {
            if (coordinator) {
                change.left().forEach(left -> cluster.nodes().remove(left));
            }
            if (change.merge() || !cluster.nodes().containsKey(self.name())) {
                cluster.nodes().put(self.name(), record(self));
            }
        });
    }
}
