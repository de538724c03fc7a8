package dev.nova.platform;

import static dev.nova.platform.InboundFrame.NO_SEQUENCE;
import static dev.nova.platform.SequenceTracker.Continuity.DUPLICATE;
import static dev.nova.platform.SequenceTracker.Continuity.FIRST;
import static dev.nova.platform.SequenceTracker.Continuity.GAP;
import static dev.nova.platform.SequenceTracker.Continuity.IN_ORDER;
import static dev.nova.platform.SequenceTracker.Continuity.UNSEQUENCED;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SequenceTrackerTest {

    private final SequenceTracker tracker = new SequenceTracker();

    @Test
    void contiguousMessagesAreInOrder() {
        assertThat(tracker.track("c", 9, 10, false)).isEqualTo(FIRST);
        assertThat(tracker.track("c", 10, 11, false)).isEqualTo(IN_ORDER);
        assertThat(tracker.track("c", 11, 14, false)).isEqualTo(IN_ORDER);
        assertThat(tracker.last("c")).isEqualTo(14);
    }

    @Test
    void aMissingPredecessorIsAGap() {
        tracker.track("c", 9, 10, false);

        assertThat(tracker.track("c", 12, 13, false)).isEqualTo(GAP);
        assertThat(tracker.track("c", 13, 14, false)).isEqualTo(IN_ORDER);
    }

    @Test
    void aSequenceNotPastTheLastIsADuplicateAndDoesNotMoveTheCursor() {
        tracker.track("c", 9, 10, false);

        assertThat(tracker.track("c", 9, 10, false)).isEqualTo(DUPLICATE);
        assertThat(tracker.track("c", 4, 5, false)).isEqualTo(DUPLICATE);
        assertThat(tracker.last("c")).isEqualTo(10);
    }

    @Test
    void aSnapshotRestartsTheChannelWithoutAGap() {
        tracker.track("c", 9, 10, false);

        assertThat(tracker.track("c", NO_SEQUENCE, 50, true)).isEqualTo(IN_ORDER);
        assertThat(tracker.track("c", 50, 51, false)).isEqualTo(IN_ORDER);
    }

    @Test
    void monotonicChannelsOnlyDetectDuplicates() {
        tracker.track("c", NO_SEQUENCE, 10, false);

        assertThat(tracker.track("c", NO_SEQUENCE, 20, false)).isEqualTo(IN_ORDER);
        assertThat(tracker.track("c", NO_SEQUENCE, 20, false)).isEqualTo(DUPLICATE);
    }

    @Test
    void channelsAreIndependentAndForgettable() {
        tracker.track("a", 0, 1, false);
        assertThat(tracker.track("b", 99, 100, false)).isEqualTo(FIRST);

        tracker.forget("a");

        assertThat(tracker.track("a", 40, 41, false)).isEqualTo(FIRST);
        assertThat(tracker.track("x", NO_SEQUENCE, NO_SEQUENCE, false)).isEqualTo(UNSEQUENCED);
    }

    @Test
    void twoThreadsFeedingOneChannelNeverGetTheSameSequenceThroughTwice() throws Exception {
        SequenceTracker tracker = new SequenceTracker();
        int count = 200_000;
        ConcurrentHashMap<Long, Boolean> through = new ConcurrentHashMap<>();
        AtomicInteger twice = new AtomicInteger();
        Runnable feed = () -> {
            for (long sequence = 1; sequence <= count; sequence++) {
                if (tracker.track("ch", sequence - 1, sequence, false) != DUPLICATE
                        && through.putIfAbsent(sequence, true) != null) {
                    twice.incrementAndGet();
                }
            }
        };
        Thread a = new Thread(feed);
        Thread b = new Thread(feed);
        a.start();
        b.start();
        a.join();
        b.join();

        assertThat(twice).hasValue(0);
        assertThat(through).containsKey((long) count);
        assertThat(tracker.last("ch")).isEqualTo(count);
    }
}
