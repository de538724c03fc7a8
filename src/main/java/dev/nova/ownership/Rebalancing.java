package dev.nova.ownership;

import dev.nova.model.ClientRecord;
import dev.nova.model.ClientState;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The rebalancing decisions, as pure functions of the client records and the members: which client to move next and
 * where. Only members that have counted for a full interval take part ({@code counted}), as sources or targets.
 *
 * <p>A client may run on its <em>pool</em>: the counted members of the first region {@link Placement} would place it
 * in (its preferred region, the active market's, its exchange's regions), or every counted member when none applies.
 * Load is the number of clients a member owns.
 */
public final class Rebalancing {

    /** One make-before-break move. */
    public record Move(String client, String from, String to, String why) {}

    private Rebalancing() {}

    /** Clients running (owned, not stopped), per counted member (zero for one that runs none). */
    static Map<String, Integer> loads(List<ClientRecord> clients, Set<String> counted) {
        Map<String, Integer> loads = new TreeMap<>();
        counted.forEach(n -> loads.put(n, 0));
        for (ClientRecord client : clients) {
            if (client.owner() != null && !client.stopped() && loads.containsKey(client.owner())) {
                loads.merge(client.owner(), 1, Integer::sum);
            }
        }
        return loads;
    }

    /** How far the most loaded member is above the mean, as a fraction of it (0 when balanced or empty). */
    public static double imbalance(Map<String, Integer> loads) {
        if (loads.isEmpty()) {
            return 0;
        }
        double mean =
                loads.values().stream().mapToInt(Integer::intValue).average().orElse(0);
        int max = loads.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        return mean == 0 ? 0 : (max - mean) / mean;
    }

    /** Whether a client may be moved now: free to move, connected at a live owner, no move or failover under way. */
    static boolean movable(ClientRecord record, Members members) {
        return record.spec().clusterEnabled()
                && !record.stopped()
                && record.state() == ClientState.CONNECTED
                && record.transferTo() == null
                && !record.failingOver()
                && members.ownerAlive(record);
    }

    /**
     * Whether the cluster is busy with something a rebalance must not overlap: a client failing over or moving, or
     * (when failover is automatic) whose owner is gone, so that a failover is due. A client nobody owns (FAILED after
     * its attempts, or never placed) holds nothing back: only an operator's restart brings it back.
     */
    static boolean busy(List<ClientRecord> clients, Members members, boolean failoverDue) {
        return clients.stream()
                .anyMatch(r -> !r.stopped()
                        && (r.failingOver()
                                || r.transferTo() != null
                                || (failoverDue
                                        && r.owner() != null
                                        && r.spec().clusterEnabled()
                                        && !members.ownerAlive(r))));
    }

    /** The counted members, with their regions, that moves may come from or go to. */
    private static List<Placement.Candidate> nodes(Members members, Set<String> counted) {
        return members.candidates(List.of(), Set.of()).stream()
                .filter(c -> counted.contains(c.name()))
                .toList();
    }

    /** The counted members a client may run on: placement's choice of region ({@link Placement#eligible}). */
    private static Set<String> pool(
            ClientRecord record, Placement placement, List<Placement.Candidate> nodes, Instant now) {
        return placement.eligible(record.spec(), nodes, now).stream()
                .map(Placement.Candidate::name)
                .collect(Collectors.toSet());
    }

    /**
     * least_connections: the move that takes a client from the member furthest above the mean of its pool (more than
     * {@code maxImbalance} above, and at least one client above) to the least loaded member of that pool, when the
     * move narrows the gap (the source has at least two more); the largest gap first, ties by names. Clients in
     * {@code skip} (a move of theirs failed lately) stay.
     */
    public static Optional<Move> leastConnections(
            List<ClientRecord> clients,
            Members members,
            Placement placement,
            Set<String> counted,
            double maxImbalance,
            Set<String> skip) {
        Map<String, Integer> loads = loads(clients, counted);
        List<Placement.Candidate> nodes = nodes(members, counted);
        Instant now = placement.clock().instant();
        Move best = null;
        int bestGap = 0;
        for (ClientRecord record : sorted(clients)) {
            if (!movable(record, members) || !loads.containsKey(record.owner()) || skip.contains(record.name())) {
                continue;
            }
            Set<String> pool = pool(record, placement, nodes, now);
            if (!pool.contains(record.owner()) || pool.size() < 2) {
                continue;
            }
            double mean = pool.stream().mapToInt(loads::get).average().orElse(0);
            int load = loads.get(record.owner());
            if (load <= mean * (1 + maxImbalance) || load - mean < 1) {
                continue;
            }
            String target = leastLoaded(pool, loads);
            int gap = load - loads.get(target);
            if (gap >= 2 && gap > bestGap) {
                bestGap = gap;
                best = new Move(
                        record.name(),
                        record.owner(),
                        target,
                        String.format(
                                java.util.Locale.ROOT,
                                "%s runs %d client(s), more than %.0f%% above the mean %.2f of %s; %s runs %d",
                                record.owner(),
                                load,
                                maxImbalance * 100,
                                mean,
                                new java.util.TreeSet<>(pool),
                                target,
                                loads.get(target)));
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * market_hours: clients running outside the region placement would choose now (the active market's), each to the
     * least loaded member of that region. Clients with a preferred region, pinned, or without such a member stay.
     */
    public static List<Move> outOfPlace(
            List<ClientRecord> clients, Members members, Placement placement, Set<String> counted, Set<String> skip) {
        Map<String, Integer> loads = loads(clients, counted);
        List<Placement.Candidate> nodes = nodes(members, counted);
        Map<String, String> regions =
                nodes.stream().collect(Collectors.toMap(Placement.Candidate::name, Placement.Candidate::region));
        Instant now = placement.clock().instant();
        List<Move> moves = new java.util.ArrayList<>();
        for (ClientRecord record : sorted(clients)) {
            if (!movable(record, members) || record.spec().preferredRegion() != null || skip.contains(record.name())) {
                continue;
            }
            Optional<MarketHours.Market> market =
                    placement.markets().active(record.spec().platform(), now);
            if (market.isEmpty()) {
                continue;
            }
            Set<String> pool = pool(record, placement, nodes, now);
            String region = market.get().primaryRegion();
            boolean poolInRegion = pool.stream().allMatch(n -> region.equals(regions.get(n)));
            if (pool.contains(record.owner()) || pool.isEmpty() || !poolInRegion) {
                continue;
            }
            String target = leastLoaded(pool, loads);
            loads.merge(target, 1, Integer::sum);
            moves.add(new Move(
                    record.name(),
                    record.owner(),
                    target,
                    "market " + market.get().name() + " is active: its primary region is " + region));
        }
        return moves;
    }

    private static String leastLoaded(Set<String> pool, Map<String, Integer> loads) {
        return pool.stream()
                .min(Comparator.comparingInt((String n) -> loads.get(n)).thenComparing(n -> n))
                .orElseThrow();
    }

    private static List<ClientRecord> sorted(List<ClientRecord> clients) {
        return clients.stream().sorted(Comparator.comparing(ClientRecord::name)).toList();
    }
}
