package dev.nova.ownership;

import dev.nova.cluster.ClusterRuntime;
import dev.nova.cluster.NodeRecord;
import dev.nova.model.ClientRecord;
import dev.nova.model.ClientState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The cluster as one node sees it, computed from the view and the replicated caches (no remote calls): members with
 * their regions, addresses and client counts, and an overall status.
 */
public final class ClusterStatus {

    /** Not joined, or no state received yet. */
    public static final String STARTING = "starting";
    /** Every client has an owner in the view and is connected (or stopped on purpose). */
    public static final String READY = "ready";
    /** Some client is unassigned, failing over, reconnecting, failed, or owned by a node that is gone. */
    public static final String DEGRADED = "degraded";
    /** This side holds no quorum (a possible minority partition). */
    public static final String PAUSED = "paused";

    /** One member: the clients it owns, and of those the ones it runs (not stopped). */
    public record Member(
            String name,
            String region,
            String address,
            boolean coordinator,
            int clients,
            int running,
            Integer schemaVersion) {}

    private ClusterStatus() {}

    public static String status(boolean started, ClusterRuntime cluster, List<ClientRecord> clients) {
        if (!started || !cluster.joined()) {
            return STARTING;
        }
        if (!cluster.view().quorum()) {
            return PAUSED;
        }
        List<String> members = cluster.members();
        for (ClientRecord client : clients) {
            boolean owned = client.owner() != null && members.contains(client.owner());
            boolean fine = client.state() == ClientState.CONNECTED
                    || (client.state() == ClientState.STOPPED && client.stopped());
            if (!owned || !fine) {
                return DEGRADED;
            }
        }
        return READY;
    }

    public static List<Member> members(ClusterRuntime cluster, List<ClientRecord> clients) {
        Map<String, Integer> counts = new HashMap<>();
        Map<String, Integer> running = new HashMap<>();
        for (ClientRecord client : clients) {
            if (client.owner() != null) {
                counts.merge(client.owner(), 1, Integer::sum);
                if (!client.stopped()) {
                    running.merge(client.owner(), 1, Integer::sum);
                }
            }
        }
        String coordinator = cluster.coordinator();
        List<Member> members = new ArrayList<>();
        for (String name : cluster.members()) {
            NodeRecord record = cluster.nodes().get(name);
            members.add(new Member(
                    name,
                    record == null ? null : record.region(),
                    record == null ? null : record.restAddress(),
                    name.equals(coordinator),
                    counts.getOrDefault(name, 0),
                    running.getOrDefault(name, 0),
                    record == null ? null : record.schema()));
        }
        return members;
    }

    public static Map<String, List<String>> regions(List<Member> members) {
        Map<String, List<String>> regions = new TreeMap<>();
        for (Member member : members) {
            regions.computeIfAbsent(member.region() == null ? "unknown" : member.region(), r -> new ArrayList<>())
                    .add(member.name());
        }
        return regions;
    }
}
