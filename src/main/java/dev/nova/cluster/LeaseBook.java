package dev.nova.cluster;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The bookkeeping of the cluster lease, without clocks or sockets (times are passed in, in milliseconds).
 *
 * <p>Every node sends, every beat, the members it has heard from within the lease. A member <em>confirms</em> this
 * node while its latest beat arrived within the lease and lists this node, while it joined this node's view less than
 * a grace period ago (it may not have heard this node yet; after a merge, beats take a moment to flow again), and
 * while this node has never heard it at all (a member still starting: its beats begin once its application runs). A
 * side whose confirming members hold no quorum pauses, by itself, whatever its view says: a node cut off stops being confirmed one lease after the last beat that reached it,
 * and a node that others stopped hearing (a one-way cut) stops being confirmed as soon as their beats say so.
 *
 * <p>On the other side, a member that left the view is <em>unfenced</em> (it may still run its clients) until a lease
 * plus a margin has passed since this node last heard from it, unless its death is confirmed (its port refuses
 * connections: the process is gone). The margin covers the paused side's check period, the age of the last beat it
 * got, and the closing of its sessions.
 */
final class LeaseBook {

    private record Beat(long at, boolean listsMe) {}

    private record Lost(long lastHeard, boolean dead) {}

    private final String self;
    private final long leaseMs;
    private final long marginMs;
    private final long graceMs;
    /** The latest beat of each member: when it arrived and whether it named this node. */
    private final Map<String, Beat> latest = new HashMap<>();

    private final Map<String, Long> joinedAt = new HashMap<>();
    private final Map<String, Lost> lost = new HashMap<>();

    LeaseBook(String self, long leaseMs, long marginMs, long graceMs) {
        this.self = self;
        this.leaseMs = leaseMs;
        this.marginMs = marginMs;
        this.graceMs = graceMs;
    }

    long leaseMs() {
        return leaseMs;
    }

    /** {@code member} entered this node's view (or is in the first one). */
    synchronized void joined(String member, long now) {
        joinedAt.put(member, now);
        lost.remove(member);
    }

    /** A beat from {@code from}, naming the members it hears. */
    synchronized void beat(String from, Set<String> hears, long now) {
        latest.put(from, new Beat(now, hears.contains(self)));
    }

    /** The members this node heard from within the lease: what its own beats say. */
    synchronized Set<String> heard(long now) {
        Set<String> heard = new HashSet<>();
        latest.forEach((member, beat) -> {
            if (now - beat.at() < leaseMs) {
                heard.add(member);
            }
        });
        return heard;
    }

    /** This node and the members of {@code view} that confirm it now. */
    synchronized Set<String> confirming(Collection<String> view, long now) {
        Set<String> confirming = new HashSet<>();
        confirming.add(self);
        for (String member : view) {
            Beat beat = latest.get(member);
            Long joined = joinedAt.get(member);
            boolean neverHeard = beat == null;
            boolean fresh = beat != null && now - beat.at() < leaseMs && beat.listsMe();
            boolean justJoined = joined != null && now - joined < graceMs;
            if (neverHeard || fresh || justJoined) {
                confirming.add(member);
            }
        }
        return confirming;
    }

    /** {@code member} left this node's view: its clients wait until it must have paused, unless it is dead. */
    synchronized void lost(String member, long now) {
        joinedAt.remove(member);
        Beat beat = latest.get(member);
        lost.put(member, new Lost(beat == null ? now : beat.at(), false));
    }

    /** {@code member}'s process is gone (its port refused a connection): its clients need not wait. */
    synchronized void dead(String member) {
        lost.computeIfPresent(member, (m, l) -> new Lost(l.lastHeard(), true));
    }

    /** Members that left the view and may still be running their clients. */
    synchronized Set<String> unfenced(long now) {
        lost.values().removeIf(l -> l.dead() || now - l.lastHeard() >= leaseMs + marginMs);
        return Set.copyOf(lost.keySet());
    }
}
