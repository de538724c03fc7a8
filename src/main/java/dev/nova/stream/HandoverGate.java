package dev.nova.stream;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Stands between one client's sessions and the hub, so that a make-before-break transfer hands a client from one
 * node to another without a gap or a duplicate. Normally it passes every message on ({@code LIVE}) and remembers
 * the last sequence delivered per channel. On the source of a transfer it is muted at the handover point and tells
 * that point; on the target it buffers what the new session receives until the handover, then delivers only what
 * comes after the source's last message (by sequence where the channel has one, by arrival time where not), then
 * passes messages on live.
 */
public final class HandoverGate implements MessageSink {

    /** How much a buffering gate keeps per channel before it drops the oldest. */
    static final int BUFFER_PER_CHANNEL = 16_384;

    /**
     * Where the source stopped: its last sequence per sequenced channel, and the receive time of the last message it
     * delivered (0 when none), which is where unsequenced channels resume.
     */
    public record Handover(Map<String, Long> lastSequences, long mutedAt) {}

    private enum Mode {
        LIVE,
        MUTED,
        BUFFERING
    }

    private final MessageSink downstream;
    /** The last sequence delivered per channel, in a cell of its own: updated per message without boxing. */
    private final Map<String, long[]> lastDelivered = new HashMap<>();

    private final Map<String, ArrayDeque<MarketMessage>> buffered = new LinkedHashMap<>();
    private Map<String, Long> floors = Map.of();
    /**
     * When the last message passed on was received. The hand-over point for unsequenced channels: not the moment of
     * muting, because messages received before it may still be on their way to the gate (a session's frame lane).
     */
    private long lastPassedAt;

    private Mode mode;

    private HandoverGate(MessageSink downstream, Mode mode) {
        this.downstream = downstream;
        this.mode = mode;
    }

    /** A gate that passes messages on. */
    public static HandoverGate live(MessageSink downstream) {
        return new HandoverGate(downstream, Mode.LIVE);
    }

    /** A gate that keeps messages until {@link #goLive}. */
    public static HandoverGate buffering(MessageSink downstream) {
        return new HandoverGate(downstream, Mode.BUFFERING);
    }

    @Override
    public synchronized void publish(MarketMessage message) {
        switch (mode) {
            case LIVE -> pass(message);
            case MUTED -> {
                // Handed over: the new owner delivers from here on.
            }
            case BUFFERING -> {
                ArrayDeque<MarketMessage> queue = buffered.computeIfAbsent(message.channel(), c -> new ArrayDeque<>());
                if (queue.size() == BUFFER_PER_CHANNEL) {
                    queue.removeFirst();
                }
                queue.addLast(message);
            }
        }
    }

    private void pass(MarketMessage message) {
        if (message.sequenced()) {
            if (!floors.isEmpty()) {
                Long floor = floors.get(message.channel());
                if (floor != null && message.sequence() <= floor) {
                    return;
                }
            }
            long[] last = lastDelivered.get(message.channel());
            if (last == null) {
                last = new long[1];
                lastDelivered.put(message.channel(), last);
            }
            last[0] = message.sequence();
        }
        lastPassedAt = Math.max(lastPassedAt, message.receivedAt());
        downstream.publish(message);
    }

    /** Stops delivery at this point and says where it stopped (the source's side of a handover). */
    public synchronized Handover mute() {
        mode = Mode.MUTED;
        Map<String, Long> lastSequences = new HashMap<>();
        lastDelivered.forEach((channel, last) -> lastSequences.put(channel, last[0]));
        return new Handover(Map.copyOf(lastSequences), lastPassedAt);
    }

    /** Delivers again (a transfer that was aborted after the source was muted). */
    public synchronized void unmute() {
        if (mode == Mode.MUTED) {
            mode = Mode.LIVE;
        }
    }

    /** Whether a buffering gate has received something on every one of the channels. */
    public synchronized boolean hasDataOn(Set<String> channels) {
        for (String channel : channels) {
            ArrayDeque<MarketMessage> queue = buffered.get(channel);
            if (queue == null || queue.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Switches a buffering gate to live at the handover point: delivers the buffered messages that come after
     * it, in order, then everything live. Returns how many buffered messages it delivered.
     */
    public synchronized int goLive(Handover handover) {
        floors = handover.lastSequences();
        int delivered = 0;
        for (ArrayDeque<MarketMessage> queue : buffered.values()) {
            for (MarketMessage message : queue) {
                boolean after = message.sequenced()
                        ? !floors.containsKey(message.channel()) || message.sequence() > floors.get(message.channel())
                        : message.receivedAt() > handover.mutedAt();
                if (after) {
                    pass(message);
                    delivered++;
                }
            }
        }
        buffered.clear();
        mode = Mode.LIVE;
        return delivered;
    }
}
