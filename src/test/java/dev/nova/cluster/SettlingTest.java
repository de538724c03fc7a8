package dev.nova.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.startsWith;
import static org.mockito.Mockito.RETURNS_DEEP_STUBS;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import dev.nova.concurrency.NovaExecutors;
import jakarta.enterprise.event.Event;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.infinispan.AdvancedCache;
import org.infinispan.Cache;
import org.infinispan.cache.impl.InternalCache;
import org.infinispan.configuration.cache.Configuration;
import org.infinispan.conflict.MergePolicy;
import org.infinispan.conflict.impl.InternalConflictManager;
import org.infinispan.container.entries.CacheEntry;
import org.infinispan.container.entries.ImmortalCacheEntry;
import org.infinispan.distribution.DistributionManager;
import org.infinispan.factories.ComponentRegistry;
import org.infinispan.remoting.transport.Address;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

class SettlingTest {

    private static final List<String> ALL = List.of("n1", "n2", "n3");

    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    /** The comparisons' threads (one per cache, as in the product: a look waits for them). */
    private final List<ScheduledExecutorService> comparers = new CopyOnWriteArrayList<>();

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
        when(executors.dedicated("nova-settling")).thenReturn(timers);
        when(executors.dedicated(startsWith("nova-settling-"))).thenAnswer(call -> {
            ScheduledExecutorService comparer = Executors.newSingleThreadScheduledExecutor();
            comparers.add(comparer);
            return comparer;
        });
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
        comparers.forEach(ScheduledExecutorService::shutdownNow);
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

    @Test
    void aCompleteLookPublishesWhatItsGenerationDoubtsAndTellsWhenThatNarrows() throws InterruptedException {
        Address n1 = mock(Address.class);
        Address n2 = mock(Address.class);
        AtomicReference<List<Map<Address, CacheEntry<Object, Object>>>> conflicts = new AtomicReference<>(List.of(
                Map.of(n1, new ImmortalCacheEntry("c1", "v1"), n2, new ImmortalCacheEntry("c1", "v2")),
                Map.of(n1, new ImmortalCacheEntry("c2", "v1"))));
        recordCache("clients", conflicts);
        settled.set(true);

        settling.viewChanged(view(1));

        verify(narrowed, timeout(2000)).fire(new DoubtsNarrowed(1));
        Settling.Doubts doubts = settling.doubts(1).orElseThrow();
        assertThat(doubts.in("clients")).containsOnlyKeys("c1", "c2");
        assertThat(doubts.in("clients").get("c1")).containsExactlyInAnyOrder("v1", "v2");
        assertThat(doubts.in("clients").get("c2")).containsExactly("v1");
        assertThat(doubts.in("subscriptions")).isEmpty();
        assertThat(settling.doubts(2)).as("another settling's doubts").isEmpty();
        verify(events, never()).fire(any());

        // One entry agrees again: the narrower doubts are told once, the same doubts at later looks are not.
        conflicts.set(List.of(Map.of(n1, new ImmortalCacheEntry("c1", "v1"), n2, new ImmortalCacheEntry("c1", "v2"))));
        verify(narrowed, timeout(2000).times(2)).fire(new DoubtsNarrowed(1));
        assertThat(settling.doubts(1).orElseThrow().in("clients")).containsOnlyKeys("c1");
        Thread.sleep(3 * Settling.POLL.toMillis());
        verify(narrowed, times(2)).fire(any());

        // A topology on the move undoes what the looks said, until the next complete look.
        settled.set(false);
        Thread.sleep(3 * Settling.POLL.toMillis());
        assertThat(settling.doubts(1)).isEmpty();

        settled.set(true);
        conflicts.set(List.of());
        verify(events, timeout(2000)).fire(any());
        verify(cluster).recordsSettled(1);
    }

    /** A record cache with a merge policy whose replicas differ as {@code conflicts} says at each look. */
    @SuppressWarnings("unchecked")
    private void recordCache(String name, AtomicReference<List<Map<Address, CacheEntry<Object, Object>>>> conflicts) {
        AdvancedCache<Object, Object> cache =
                mock(AdvancedCache.class, withSettings().extraInterfaces(InternalCache.class));
        Cache<Object, Object> plain = mock(Cache.class);
        when(plain.getAdvancedCache()).thenReturn(cache);
        when(cache.getName()).thenReturn(name);
        Configuration configuration = mock(Configuration.class, RETURNS_DEEP_STUBS);
        when(configuration.clustering().partitionHandling().mergePolicy()).thenReturn(MergePolicy.PREFERRED_NON_NULL);
        when(cache.getCacheConfiguration()).thenReturn(configuration);
        DistributionManager distribution = mock(DistributionManager.class, RETURNS_DEEP_STUBS);
        when(distribution.getCacheTopology().getTopologyId()).thenReturn(7);
        when(cache.getDistributionManager()).thenReturn(distribution);
        ComponentRegistry registry = mock(ComponentRegistry.class);
        when(((InternalCache<Object, Object>) cache).getComponentRegistry()).thenReturn(registry);
        InternalConflictManager<Object, Object> manager = mock(InternalConflictManager.class);
        when(manager.getConflicts()).thenAnswer(call -> conflicts.get().stream());
        when(registry.getComponent(InternalConflictManager.class)).thenReturn(manager);
        when(cluster.recordCaches()).thenReturn(List.of(name));
        when(cluster.<Object, Object>cache(name)).thenReturn(plain);
    }
}
