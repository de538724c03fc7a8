package dev.nova.cluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Follows the JGroups views a node sees and decides whether its side holds quorum.
 *
 * <p>Quorum is judged against the <em>reference membership</em>: the view that was stable before the trouble began.
 * A view that only adds members replaces it at once; a view that lost members replaces it only once the cluster has
 * been quiet (no new view) for {@code stable-after}, and only while it holds quorum (as Akka's split-brain resolver
 * does). A partition therefore cannot shrink the reference one departure at a time: a node cut off alone that sees
 * the others leave one after the other ({@code [a, b]}, then {@code [a]}) judges both views against
 * {@code [a, b, c]}, and the second one holds no quorum whatever the order.
 *
 * <p>What holds quorum depends on the {@link PartitionHandling}: more than half of the reference, or exactly half
 * including its oldest member (so one side of an even split carries on), or at least {@code quorum-size} members when
 * that is set ({@code pause_minority}); every member of the reference ({@code pause_all}: a member lost without a
 * graceful leave pauses every side until it is back or an operator {@linkplain #forget forgets} it); always
 * ({@code ignore}). Members that announced they are leaving on purpose (a graceful shutdown) are dropped from the
 * reference when they leave, whichever of the announcement and the view comes first, provided they did not leave
 * together with members that said nothing (then this may be a partition, and the announcement proves nothing about
 * the others).
 *
 * <p>Whatever the view, a node whose lease is lost ({@link Leases}: too few members confirm they hear it) holds no
 * quorum.
 *
 * <p>View changes, announcements, lease changes and {@link #settle} arrive one at a time, on the cluster's view
 * lane; readers take {@link #snapshot()}.
 */
public final class ViewHistory {

    /**
     * What a reader needs at one instant.
     *
     * @param current the members of this node's view, oldest first
     * @param stable the reference membership quorum is judged against
     * @param quorum whether this side holds quorum
     * @param changedAt when the view (or the reference) last changed, epoch millis
     * @param settling the settling this side waits for (its generation): after a merge, or when this side got quorum
     *     back, its records may be the other side's until {@link Settling} has seen them settled; 0 when none
     */
    public record Snapshot(List<String> current, List<String> stable, boolean quorum, long changedAt, long settling) {

        /**
         * Whether this side may act on its records (start clients, decide failovers): it holds quorum and no merge is
         * settling. Published together with quorum, so no reader sees quorum back without the settling that comes
         * with it.
         */
        public boolean settled() {
            return quorum && settling == 0;
        }

        /** Members of the reference missing from this node's view (lost, or on the other side of a partition). */
        public List<String> missing() {
            return stable.stream().filter(m -> !current.contains(m)).toList();
        }
    }

    /** How long an announcement waits for its member to leave the view before it is forgotten. */
    static final long ANNOUNCEMENT_TTL_MS = 120_000;

    private final PartitionHandling handling;
    private final Integer quorumSize;
    private final long stableAfterMs;
    /** Members that announced they are leaving, while still in the view, and when they did. */
    private final Map<String, Long> announced = new HashMap<>();
    /** Members gone from the view whose announcement came after it, since that view. */
    private final Set<String> announcedLate = new HashSet<>();
    /** When the current view arrived: the quiet period of {@link #settle} counts from here. */
    private long viewSince;
    /** Whether a quorum of the reference confirms this node ({@link Leases}); without it, no view holds quorum. */
    private boolean leaseHeld = true;

    /** Whether this node started with the reference of its previous run ({@link #restore}), until its first view. */
    private boolean restored;
    /** The settling that began when this node, restored, first held quorum (0: none); {@link #restoring}. */
    private long restoreSettling;

    /** How many settlings were started: each gets the next number. */
    private long settlings;
    /** When the pending settling started. */
    private long settlingSince;

    private volatile Snapshot snapshot = new Snapshot(List.of(), List.of(), false, 0, 0);

    /** The majority rule ({@code pause_minority} without a fixed size) with the given quiet period. */
    public ViewHistory(long stableAfterMs) {
        this(PartitionHandling.PAUSE_MINORITY, null, stableAfterMs);
    }

    /**
     * @param handling what a side that lost members does
     * @param quorumSize a fixed member count that forms quorum, or null for the majority rule ({@code pause_minority})
     * @param stableAfterMs how long a view that lost members must stay unchanged before it becomes the reference
     */
    public ViewHistory(PartitionHandling handling, Integer quorumSize, long stableAfterMs) {
        this.handling = handling;
        this.quorumSize = quorumSize;
        this.stableAfterMs = stableAfterMs;
    }

    /**
     * This node starts with the records it kept on disk ({@link DataSettings}): quorum is judged against the reference
     * membership of its previous run, not against whoever happens to be up, so a node that starts alone (or with a
     * minority of its former members) runs nothing, and when it holds quorum, at its first view or later, its records
     * settle with the others' before anyone acts on them ({@link Settling}). Only before the first view.
     */
    public synchronized void restore(List<String> reference) {
        if (snapshot.changedAt() != 0 || reference.isEmpty()) {
            return;
        }
        restored = true;
        snapshot = new Snapshot(List.of(), List.copyOf(reference), false, 0, 0);
    }

    /**
     * Whether {@code generation} is the settling that began when this node, started with the records of its previous
     * run, first held quorum: the others may have seen only a join, so this node resolves what differs itself.
     */
    public synchronized boolean restoring(long generation) {
        return generation != 0 && generation == restoreSettling;
    }

    /**
     * Records the view a node joined with, unless a view has been recorded already: lets the node know at once,
     * rather than when its view lane gets to it, whether it holds quorum.
     */
    public synchronized Snapshot first(List<String> members, long now) {
        return snapshot.changedAt() == 0 ? update(members, now) : snapshot;
    }

    /**
     * Records a new view (members oldest first, as JGroups lists them). When every member that left since the last
     * view had announced it was leaving, they left on purpose and are dropped from the reference.
     */
    public synchronized Snapshot update(List<String> members, long now) {
        return update(members, now, false);
    }

    /**
     * Records a new view, as {@link #update(List, long)}; {@code merge} when it merged partitions (a settling starts
     * if it holds quorum).
     */
    public synchronized Snapshot update(List<String> members, long now, boolean merge) {
        announced.values().removeIf(at -> now - at > ANNOUNCEMENT_TTL_MS);
        announcedLate.clear();
        Set<String> gone = snapshot.current().stream()
                .filter(member -> !members.contains(member))
                .collect(Collectors.toSet());
        boolean graceful = !gone.isEmpty() && announced.keySet().containsAll(gone);
        announced.keySet().removeAll(gone);
        List<String> view = List.copyOf(members);
        List<String> reference = without(snapshot.stable(), graceful ? gone : Set.of());
        if (reference.isEmpty() || view.containsAll(reference)) {
            // The first view, a join or a merge that brought every lost member back: nothing is missing.
            reference = view;
        }
        viewSince = now;
        return publish(view, reference, leaseHeld && hasQuorum(view, reference), merge, now);
    }

    /**
     * Makes a view that lost members the reference once it has held quorum, unchanged, for {@code stable-after}
     * ({@code pause_minority} only: under {@code pause_all} a lost member stays in the reference until it is back or
     * forgotten). Returns the new snapshot when the reference changed.
     */
    public synchronized Optional<Snapshot> settle(long now) {
        Snapshot previous = snapshot;
        if (handling != PartitionHandling.PAUSE_MINORITY
                || !previous.quorum()
                || previous.stable().equals(previous.current())
                || now - viewSince < stableAfterMs) {
            return Optional.empty();
        }
        return Optional.of(publish(previous.current(), previous.current(), true, false, now));
    }

    /**
     * An operator declared these members gone for good (they were shut down, or their machine is lost): they no
     * longer count in the reference. Members still in this node's view are not forgotten. Returns the new snapshot
     * when the reference changed.
     */
    public synchronized Optional<Snapshot> forget(Set<String> members, long now) {
        Snapshot previous = snapshot;
        Set<String> absent =
                members.stream().filter(m -> !previous.current().contains(m)).collect(Collectors.toSet());
        List<String> reference = without(previous.stable(), absent);
        if (reference.equals(previous.stable())) {
            return Optional.empty();
        }
        if (reference.isEmpty()) {
            reference = previous.current();
        }
        return Optional.of(publish(
                previous.current(), reference, leaseHeld && hasQuorum(previous.current(), reference), false, now));
    }

    /** Whether a quorum of the reference confirms this node now (as last told by {@link #lease}). */
    public synchronized boolean leaseHeld() {
        return leaseHeld;
    }

    /**
     * The cluster lease was lost or is held again ({@link Leases}): without it this side holds no quorum. Returns the
     * new snapshot when that changes quorum.
     */
    public synchronized Optional<Snapshot> lease(boolean held, long now) {
        leaseHeld = held;
        Snapshot previous = snapshot;
        boolean quorum = held && hasQuorum(previous.current(), previous.stable());
        if (quorum == previous.quorum() || previous.changedAt() == 0) {
            return Optional.empty();
        }
        return Optional.of(publish(previous.current(), previous.stable(), quorum, false, now));
    }

    /**
     * A member announced that it is leaving on purpose. While it is still in the view, this is remembered for the
     * view without it. When the view without it came first, it is dropped from the reference now, provided every
     * other member of the reference is still here (or announced too); the new snapshot is returned when that gives
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
        List<String> reference = without(previous.stable(), announcedLate);
        if (!previous.current().containsAll(reference)) {
            return Optional.empty();
        }
        announcedLate.clear();
        if (reference.isEmpty()) {
            reference = previous.current();
        }
        boolean quorum = leaseHeld && hasQuorum(previous.current(), reference);
        publish(previous.current(), reference, quorum, false, now);
        return quorum != previous.quorum() ? Optional.of(snapshot) : Optional.empty();
    }

    /**
     * The settling {@code generation} has seen the records settled: this side may act on them again, unless a later
     * settling has started since. Returns whether it was the pending one.
     */
    public synchronized boolean settled(long generation) {
        Snapshot previous = snapshot;
        if (generation == 0 || previous.settling() != generation) {
            return false;
        }
        snapshot = new Snapshot(previous.current(), previous.stable(), previous.quorum(), previous.changedAt(), 0);
        return true;
    }

    /**
     * Ends a settling pending for longer than {@code patienceMs} (a backstop: should the settling never report, the
     * side must not stay idle). Returns its generation, or 0 when none was overdue.
     */
    public synchronized long overdue(long now, long patienceMs) {
        long pending = snapshot.settling();
        if (pending == 0 || now - settlingSince < patienceMs) {
            return 0;
        }
        settled(pending);
        return pending;
    }

    /**
     * Publishes a new snapshot. A settling starts when this side holds quorum after a merge, or gets it back (not at
     * the first view, unless the node started with the records of its previous run: a node that just started empty
     * has nothing of another side); otherwise a pending one stays pending.
     */
    private Snapshot publish(List<String> current, List<String> stable, boolean quorum, boolean merge, long now) {
        Snapshot previous = snapshot;
        long settling = previous.settling();
        if (quorum && (previous.changedAt() != 0 || restored) && (merge || !previous.quorum())) {
            settling = ++settlings;
            settlingSince = now;
            if (restored && restoreSettling == 0) {
                restoreSettling = settling;
            }
        }
        snapshot = new Snapshot(current, stable, quorum, now, settling);
        return snapshot;
    }

    public Snapshot snapshot() {
        return snapshot;
    }

    public PartitionHandling handling() {
        return handling;
    }

    boolean hasQuorum(List<String> view, List<String> reference) {
        if (handling == PartitionHandling.IGNORE) {
            return true;
        }
        if (handling == PartitionHandling.PAUSE_ALL) {
            return view.containsAll(reference);
        }
        if (quorumSize != null) {
            return view.size() >= quorumSize;
        }
        if (view.containsAll(reference)) {
            return true;
        }
        long kept = reference.stream().filter(view::contains).count();
        if (kept * 2 > reference.size()) {
            return true;
        }
        return kept * 2 == reference.size() && view.contains(reference.get(0));
    }

    private static List<String> without(List<String> members, Set<String> removed) {
        List<String> kept = new ArrayList<>(members);
        kept.removeAll(removed);
        return List.copyOf(kept);
    }
}
