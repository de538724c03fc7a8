package dev.nova.platform;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Follows each channel's exchange sequence numbers and classifies every message: in order, after a gap,
 * a duplicate, or unsequenced. One tracker belongs to one client; a channel's messages come from one session at
 * a time; a cursor's lock is only ever contended while two sessions overlap. The cursor survives reconnects on
 * purpose: data missed while the session was down shows up as a gap on the first message after it.
 */
public final class SequenceTracker {

    /** How a message relates to the ones before it on its channel. */
    public enum Continuity {
        /** The channel carries no sequence numbers. */
        UNSEQUENCED,
        /** The first sequenced message seen on the channel. */
        FIRST,
        /** Follows the previous message (or restarts the channel with a snapshot). */
        IN_ORDER,
        /** At least one message between the previous one and this one was never seen. */
        GAP,
        /** Already seen: the sequence is not past the last one. */
        DUPLICATE
    }

    private static final class Cursor {
        volatile long last = InboundFrame.NO_SEQUENCE;
    }

    private static final VarHandle LAST;

    static {
        try {
            LAST = MethodHandles.lookup().findVarHandle(Cursor.class, "last", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ConcurrentHashMap<String, Cursor> cursors = new ConcurrentHashMap<>();

    /**
     * Classifies a message and advances the channel's cursor (except for duplicates).
     *
     * @param previous the sequence the message says precedes it, or {@link InboundFrame#NO_SEQUENCE} when the
     *     channel is only monotonic
     * @param sequence the last sequence in the message, or {@link InboundFrame#NO_SEQUENCE}
     * @param snapshot whether the message restarts the channel's state
     */
    public Continuity track(String channel, long previous, long sequence, boolean snapshot) {
        if (sequence == InboundFrame.NO_SEQUENCE) {
            return Continuity.UNSEQUENCED;
        }
        Cursor cursor = cursors.get(channel);
        if (cursor == null) {
            cursor = cursors.computeIfAbsent(channel, c -> new Cursor());
        }
        // Uncontended in the common case; two sessions briefly feeding one channel (a reconnect, a handover)
        // must still see one consistent cursor: the cursor only moves forward, by compare-and-set.
        while (true) {
            long last = cursor.last;
            if (last != InboundFrame.NO_SEQUENCE && sequence <= last) {
                return Continuity.DUPLICATE;
            }
            if (!LAST.compareAndSet(cursor, last, sequence)) {
                continue;
            }
            if (last == InboundFrame.NO_SEQUENCE) {
                return Continuity.FIRST;
            }
            if (snapshot || previous == InboundFrame.NO_SEQUENCE || previous <= last) {
                return Continuity.IN_ORDER;
            }
            return Continuity.GAP;
        }
    }

    /** The last sequence seen on the channel, or {@link InboundFrame#NO_SEQUENCE}. */
    public long last(String channel) {
        Cursor cursor = cursors.get(channel);
        return cursor == null ? InboundFrame.NO_SEQUENCE : cursor.last;
    }

    /** Forgets a channel, e.g. after it was unsubscribed; a later subscription starts afresh. */
    public void forget(String channel) {
        cursors.remove(channel);
    }
}
