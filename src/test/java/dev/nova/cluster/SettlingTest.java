package dev.nova.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.nova.concurrency.NovaExecutors;
import jakarta.enterprise.event.Event;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

class SettlingTest {

    private static final List<String> ALL = List.of("n1", "n2", "n3");

    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final ClusterRuntime cluster = mock(ClusterRuntime.class);
    private final AtomicBoolean settled = new AtomicBoolean();

    @SuppressWarnings("unchecked")
    private final Event<RecordsSettled> events = mock(Event.class);

    @SuppressWarnings("unchecked")
    private final Event<DoubtsNarrowed> narrowed = mock(Event.class);

    private Settling settling;

    @BeforeEach
    void setUp() {
        NovaExecutors executors = mock(NovaExecutors.class);
        when(executors.dedicated(anyString())).thenReturn(timers);
        when(cluster.clustered()).thenReturn(true);
        when(cluster.members()).thenReturn(ALL);
        when(cluster.cacheNames()).thenReturn(List.of("clients", "subscriptions"));
        when(cluster.settled(anyString(), any())).thenAnswer(call -> settled.get());
        settling = new Settling(cluster, executors, events, narrowed);
        settling.start();
    }

    @AfterEach
    void tearDown() {
        timers.shutdownNow();
    }

    /** A view whose snapshot calls for settling {@code settling} (0: none). */
    private static MembershipChanged view(long settling) {
        return new MembershipChanged(
                List.of(),
                List.of(),
                settling > 0,
                new ViewHistory.Snapshot(ALL, ALL, true, System.currentTimeMillis(), settling));
    }

    @Test
    void aMergeFiresOnceTheCachesHaveSettledAndNotBefore() throws InterruptedException {
        assertThat(settling.viewChanged(view(1))).isEqualTo(1);
        Thread.sleep(3 * Settling.POLL.toMillis());
        verify(events, never()).fire(any());
        verify(cluster, never()).recordsSettled(anyLong());

        settled.set(true);
        ArgumentCaptor<RecordsSettled> fired = ArgumentCaptor.forClass(RecordsSettled.class);
        verify(events, timeout(2000)).fire(fired.capture());
        assertThat(fired.getValue().members()).isEqualTo(ALL);
        assertThat(fired.getValue().settled()).isTrue();
        assertThat(fired.getValue().waitedMillis()).isGreaterThanOrEqualTo(3 * Settling.POLL.toMillis());
        verify(cluster).recordsSettled(1);
    }

    @Test
    void aViewThatCallsForNoSettlingOrForTheOneUnderWayStartsNoWait() throws InterruptedException {
        settled.set(true);
        assertThat(settling.viewChanged(view(0))).isZero();
        Thread.sleep(3 * Settling.POLL.toMillis());
        verify(events, never()).fire(any());

        assertThat(settling.viewChanged(view(1))).isEqualTo(1);
        assertThat(settling.viewChanged(view(1)))
                .as("the same settling, a later view")
                .isZero();
        verify(events, timeout(2000)).fire(any());
        Thread.sleep(3 * Settling.POLL.toMillis());
        verify(events, times(1)).fire(any());
    }

    @Test
    void aSecondMergeWhileTheFirstSettlesFiresOnlyOnceAndNamesTheSecond() throws InterruptedException {
        settling.viewChanged(view(1));
        settling.viewChanged(view(2));
        settled.set(true);
        ArgumentCaptor<RecordsSettled> fired = ArgumentCaptor.forClass(RecordsSettled.class);
        verify(events, timeout(2000)).fire(fired.capture());
        Thread.sleep(3 * Settling.POLL.toMillis());
        verify(events, timeout(100).times(1)).fire(any());
        assertThat(fired.getValue().generation()).isEqualTo(2).isEqualTo(settling.generation());
        verify(cluster, never()).recordsSettled(1);
    }

    @Test
    void aLookThatFailsIsTriedAgainRatherThanEndingTheWait() throws InterruptedException {
        AtomicBoolean failedOnce = new AtomicBoolean();
        when(cluster.settled(anyString(), any())).thenAnswer(call -> {
            if (failedOnce.compareAndSet(false, true)) {
                throw new IllegalStateException("a cache is restarting");
            }
            return true;
        });
        settling.viewChanged(view(1));
        verify(events, timeout(2000)).fire(any());
        assertThat(failedOnce).isTrue();
    }
}
