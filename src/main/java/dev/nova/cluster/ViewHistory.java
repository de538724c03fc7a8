package dev.nova.cluster;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Follows the JGroups views a node sees and decides whether it still has quorum. The last stable view is the most
 * recent view that kept quorum; a view keeps quorum when it holds more than half of the last stable view, or
 * exactly half including that view's oldest member (so one side of an even split carries on), or, when a fixed
 * quorum size is configured, at least that many members. A node without quorum may be on the minority side of a
 * partition and cannot prove it still owns anything. A member that announced it is leaving on purpose (a graceful
 * shutdown) does not count against quorum: it is dropped from the stable view when it leaves, whichever of the
 * announcement and the view comes first, provided it did not leave together with members that said nothing (then
 * this may be a partition, and the announcement proves nothing about the others).
 *
 * <p>View changes arrive one at a time, on the cluster's view lane; readers take {@link #snapshot()}.
 */
public final class ViewHistory {

    /** What a reader needs at one instant. */
    public record Snapshot(List<String> current, List<String> stable, boolean quorum, long changedAt) {}

    /** How long an announcement waits for its member to leave the view before it is forgotten. */
    static final long ANNOUNCEMENT_TTL_MS = 120_000;

    private final Integer quorumSize;
    /** Members that announced they are leaving, while still in the view, and when they did. */
    private final Map<String, Long> announced = new HashMap<>();
    /** Members gone from the view whose announcement came after it, since that view. */
    private final Set<String> announcedLate = new HashSet<>();

    private volatile Snapshot snapshot = new Snapshot(List.of(), List.of(), false, 0);

    /** @param quorumSize a fixed member count that forms quorum, or null for the majority rule */
    public ViewHistory(Integer quorumSize) {
        this.quorumSize = quorumSize;
    }

    /**
     * Records a new view (members oldest first, as JGroups lists them). Members that left on purpose (a graceful
     * shutdown they announced) are dropped from the stable view first: they do not count against quorum.
     */
    private synchronized Snapshot update(List<String> members, Set<String> leftGracefully, long now) {
        Snapshot previous = snapshot;
        List<String> view = List.copyOf(members);
        List<String> stable = previous.stable().stream()
                .filter(m -> !leftGracefully.contains(m))
                .toList();
        boolean quorum = stable.isEmpty() || hasQuorum(view, stable);
        snapshot = new Snapshot(view, quorum ? view : stable, quorum, now);
        return snapshot;
    }

    /**
     * Records the view a node joined with, unless a view has been recorded already: lets the node know at once,
     * rather than when its view lane gets to it, whether it holds quorum.
     */
    public synchronized Snapshot first(List<String> members, long now) {
        return snapshot.changedAt() == 0 ? update(members, now) : snapshot;
    }

    /**
     * Records a new view. When every member that left since the last view had announced it was leaving, they left on
     * purpose and do not count against quorum.
     */
    public synchronized Snapshot update(List<String> members, long now) {
        announced.values().removeIf(at -> now - at > ANNOUNCEMENT_TTL_MS);
        announcedLate.clear();
        Set<String> gone = snapshot.current().stream()
                .filter(member -> !members.contains(member))
                .collect(Collectors.toSet());
        boolean graceful = !gone.isEmpty() && announced.keySet().containsAll(gone);
        announced.keySet().removeAll(gone);
        return update(members, graceful ? gone : Set.of(), now);
    }

    /**
     * A member announced that it is leaving on purpose. While it is still in the view, this is remembered for the
     * view without it. When the view without it came first, it is dropped from the stable view now, provided every
     * other member of the stable view is still here (or announced too); the new snapshot is returned when that gives
     * this side quorum back.
     */
    public synchronized Optional<Snapshot> leaving(String member, long now) {
        Snapshot previous = snapshot;
        if (previous.current().contains(member)) {
            announced.put(member, now);
            return Optional.empty();
        }
        if (!previous.stable().contains(member)) {
            return Optional.empty();
        }
        announcedLate.add(member);
        List<String> stable = previous.stable().stream()
                .filter(m -> !announcedLate.contains(m))
                .toList();
        if (!previous.current().containsAll(stable)) {
            return Optional.empty();
        }
        announcedLate.clear();
        boolean quorum = stable.isEmpty() || hasQuorum(previous.current(), stable);
        snapshot = new Snapshot(previous.current(), quorum ? previous.current() : stable, quorum, now);
        return quorum != previous.quorum() ? Optional.of(snapshot) : Optional.empty();
    }

    public Snapshot snapshot() {
        return snapshot;
    }

    boolean hasQuorum(List<String> view, List<String> stable) {
        if (quorumSize != null) {
            return view.size() >= quorumSize;
        }
        if (view.containsAll(stable)) {
            return true;
        }
        long kept = stable.stream().filter(view::contains).count();
        if (kept * 2 > stable.size()) {
            return true;
        }
        return kept * 2 == stable.size() && view.contains(stable.get(0));
    }
}
