package dev.nova.ownership;

import dev.nova.cluster.NodeRecord;
import dev.nova.model.ClientRecord;
import dev.nova.model.ClientSpec;
import dev.nova.model.ClientState;
import dev.nova.model.NodeIdentity;
import dev.nova.platform.Platform;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Nodes, clients and views for the ownership rules' tests: three nodes, one per region. */
final class World {

    static final NodeIdentity N1 = new NodeIdentity("n1", "eu-west", 1_000);
    static final NodeIdentity N2 = new NodeIdentity("n2", "us-east", 2_000);
    static final NodeIdentity N3 = new NodeIdentity("n3", "ap-east", 3_000);

    /** Deribit is nearest us-east, then ap-east. */
    static final Placement PLACEMENT = new Placement(Map.of(
            Platform.DERIBIT, new ExchangeRegions("us-east", List.of("ap-east")),
            Platform.BINANCE, new ExchangeRegions(null, List.of())));

    static final FailoverSettings IMMEDIATE = new FailoverSettings(
            true, true, false, Duration.ofSeconds(2), 3, Duration.ofSeconds(10), Duration.ofSeconds(10));

    private World() {}

    static ClientSpec spec(String name) {
        return new ClientSpec(name, Platform.DERIBIT, "wss://x/ws/api/v2", true, null, true, null);
    }

    static ClientSpec pinned(String name) {
        return new ClientSpec(name, Platform.DERIBIT, "wss://x/ws/api/v2", true, null, false, null);
    }

    /** A connected client owned by {@code owner} at {@code epoch}, its state changed at time 0. */
    static ClientRecord owned(String name, NodeIdentity owner, long epoch) {
        return owned(spec(name), owner, epoch);
    }

    static ClientRecord owned(ClientSpec spec, NodeIdentity owner, long epoch) {
        return new ClientRecord(
                spec, owner.name(), owner.incarnation(), epoch, ClientState.CONNECTED, 0, 0, false, 0, 0, 0, null, 0);
    }

    /** The members as {@code self} sees them: the live nodes in view order, registered, with quorum. */
    static Members view(NodeIdentity self, boolean coordinator, NodeIdentity... live) {
        return view(self, coordinator, true, live);
    }

    static Members view(NodeIdentity self, boolean coordinator, boolean quorum, NodeIdentity... live) {
        Map<String, NodeRecord> nodes = new HashMap<>();
        for (NodeIdentity node : live) {
            nodes.put(node.name(), record(node));
        }
        List<String> names = Arrays.stream(live).map(NodeIdentity::name).toList();
        return new Members(self, true, names, nodes, quorum, coordinator);
    }

    static NodeRecord record(NodeIdentity node) {
        return NodeRecord.of(node.name(), node.region(), "http://" + node.name(), node.incarnation(), "");
    }
}
