package dev.nova.cluster;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * The bookkeeping of the cluster lease, without clocks or sockets (times are passed in, in milliseconds).
 *
 * <p>Every beat carries a sequence number, and names the members its sender has heard from within the lease, each
 * with how long ago and the sequence number of the latest beat heard from it. A member <em>confirms</em> this node
 * while its latest beat echoes a beat of this node's that this node <em>sent</em> less than a lease ago (by this
 * node's own clock: a round trip, so beats that waited in a socket while this node was hung, or on a slow link,
 * confirm nothing), while it joined this node's view less than a grace period ago (it may not have heard this node
 * yet; after a merge, beats take a moment to flow again), and while this node has never heard it at all (a member
 * still starting: its beats begin once its application runs). A side whose confirming members hold no quorum
 * pauses, by itself, whatever its view says: a node cut off stops being confirmed one lease after the last beat of
 * its that reached the others, a node that others stopped hearing (a one-way cut) as soon as their beats say so,
 * and a node that was hung (SIGSTOP, a long stop-the-world pause) as soon as it resumes.
 *
 * <p>On the other side, a member that left the view is <em>unfenced</em> (it may still run its clients) until a lease
 * plus a margin has passed since it was last heard, unless its death is confirmed (its port refuses connections: the
 * process is gone). Last heard by anyone on this side, not only by this node: every beat says how long ago its sender
 * last heard each member, because a member that another one still hears is still confirmed by it (after a merge
 * that one coordinator undoes at once, the others keep hearing the excluded member a little longer). A member is
 * also never counted silent from before it last entered this node's view (this node may have been hung, or on the
 * other side, and heard nothing). The lost member's lease ran from a beat it sent before the one heard last, so it
 * has run out by then; the margin covers the paused side's check period and the closing of its sessions.
 */
final class LeaseBook {

    /** No time at all (times come from a monotonic clock and may be negative). */
    private static final long NEVER = Long.MIN_VALUE;

    /** What one member's beat says it heard from another: how long ago, and that one's latest beat number. */
    record Heard(long ageMs, long sequence) {}

    /** A member's latest beat: when it arrived, its number, and which beat of this node's it echoed (or NONE). */
    private record Beat(long at, long sequence, long echo) {}

    private static final long NONE = -1;

    private record Lost(long lastHeard, boolean dead) {}

    private final String self;
    private final long leaseMs;
    private final long marginMs;
    private final long graceMs;
    /** The latest beat of each member. */
    private final Map<String, Beat> latest = new HashMap<>();
    /** When this node sent each of its beats of the last lease, by number. */
    private final NavigableMap<Long, Long> sentAt = new TreeMap<>();

    private long sequence;

    private final Map<String, Long> joinedAt = new HashMap<>();
    /** Since when each member has been in this node's view without a break this node saw: a lost one's floor. */
    private final Map<String, Long> inViewSince = new HashMap<>();

    private final Map<String, Lost> lost = new HashMap<>();
    /** When each member was last heard by a member whose beats reach this node (the beats' ages, made times). */
    private final Map<String, Long> heardByOthers = new HashMap<>();

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
        inView(member, now);
    }

    /**
     * {@code member} is in a view this node just installed after a merge: whatever this node last heard from it is no
     * measure of its silence (this node may have been hung through the split and seen no view in between). Unlike
     * {@link #joined}, no grace for confirming this node.
     */
    synchronized void inView(String member, long now) {
        inViewSince.put(member, now);
        lost.remove(member);
    }

    /** This node sends a beat now: its number. */
    synchronized long sending(long now) {
        sequence++;
        sentAt.put(sequence, now);
        // Beats older than a lease confirm nothing any more.
        sentAt.headMap(sequence).values().removeIf(at -> now - at >= leaseMs);
        return sequence;
    }

    /** A beat from {@code from}, numbered {@code sequence}: the members it heard within the lease. */
    synchronized void beat(String from, long sequence, Map<String, Heard> hears, long now) {
        Beat before = latest.get(from);
        Long joined = joinedAt.get(from);
        boolean rejoinedSince = before != null && joined != null && joined > before.at();
        if (before != null && sequence < before.sequence() && !rejoinedSince) {
            // Beats travel out of band: an older one that arrives late says nothing new. (A member that joined again
            // since may be a new incarnation of that name, numbering its beats from 1.)
            return;
        }
        Heard me = hears.get(self);
        latest.put(from, new Beat(now, sequence, me == null ? NONE : me.sequence()));
        hears.forEach((member, heard) -> {
            if (!member.equals(self)) {
                heardByOthers.merge(member, now - heard.ageMs(), Math::max);
            }
        });
    }

    /** The members this node heard from within the lease, with how long ago and their beat's number. */
    synchronized Map<String, Heard> heard(long now) {
        Map<String, Heard> heard = new HashMap<>();
        latest.forEach((member, beat) -> {
            if (now - beat.at() < leaseMs) {
                heard.put(member, new Heard(now - beat.at(), beat.sequence()));
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
            Long echoed = beat == null ? null : sentAt.get(beat.echo());
            boolean fresh = echoed != null && now - echoed < leaseMs;
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
        Long since = inViewSince.remove(member);
        Beat beat = latest.get(member);
        long heardAt = Math.max(beat == null ? NEVER : beat.at(), since == null ? NEVER : since);
        lost.put(member, new Lost(heardAt == NEVER ? now : heardAt, false));
    }

    /** {@code member}'s process is gone (its port refused a connection): its clients need not wait. */
    synchronized void dead(String member) {
        lost.computeIfPresent(member, (m, l) -> new Lost(l.lastHeard(), true));
    }

    /** Members that left the view and may still be running their clients. */
    synchronized Set<String> unfenced(long now) {
        lost.entrySet().removeIf(e -> {
            Beat own = latest.get(e.getKey());
            long lastHeard = Math.max(
                    e.getValue().lastHeard(),
                    Math.max(heardByOthers.getOrDefault(e.getKey(), NEVER), own == null ? NEVER : own.at()));
            boolean fenced = e.getValue().dead() || now - lastHeard >= leaseMs + marginMs;
            if (fenced) {
                heardByOthers.remove(e.getKey());
            }
            return fenced;
        });
        return Set.copyOf(lost.keySet());
    }
}
