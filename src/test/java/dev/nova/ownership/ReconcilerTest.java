package dev.nova.ownership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.nova.cluster.MembershipChanged;
import dev.nova.cluster.ViewHistory;
import dev.nova.concurrency.NovaExecutors;
import dev.nova.connection.ClientConnection;
import dev.nova.connection.ConnectionManager;
import dev.nova.model.ClientStateChanged;
import dev.nova.subscription.SubscriptionRegistry;
import dev.nova.telemetry.ClusterEvents;
import jakarta.enterprise.event.Event;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

/** What the reconciler does with this node's sessions when its side loses quorum. */
class ReconcilerTest {

    private static final List<String> ALL = List.of("n1", "n2", "n3");

    /** The control pool, as bounded as the product's (16 threads). */
    private final ExecutorService control = Executors.newFixedThreadPool(16);

    private final ExecutorService writer = Executors.newSingleThreadExecutor();
    private final ClientRegistry clients = mock(ClientRegistry.class);
    private final ConnectionManager connections = mock(ConnectionManager.class);
    private final Ownership ownership = mock(Ownership.class);
    private final ClientLocks locks = new ClientLocks();
    private final ClientConnection c1 = mock(ClientConnection.class);
    private final SubscriptionRegistry subscriptions = mock(SubscriptionRegistry.class);
    private final NovaExecutors executorsControl = mock(NovaExecutors.class);
    private Reconciler reconciler;

    @BeforeEach
    @SuppressWarnings("unchecked")
    void setUp() {
        NovaExecutors executors = executorsControl;
        when(executors.control()).thenReturn(control);
        when(ownership.self()).thenReturn(World.N1);
        when(c1.spec()).thenReturn(World.spec("c1"));
        when(c1.epoch()).thenReturn(4L);
        when(clients.list()).thenReturn(List.of(World.owned("c1", World.N1, 4)));
        when(clients.find("c1")).thenReturn(Optional.of(World.owned("c1", World.N1, 4)));
        when(connections.all()).thenReturn(List.of(c1));
        when(connections.find("c1")).thenReturn(Optional.of(c1));
        when(connections.release(anyString())).thenReturn(CompletableFuture.completedFuture(null));
        reconciler = new Reconciler(
                clients, subscriptions, connections, ownership, locks, mock(ClusterEvents.class), executors, (Event<
                                ClientStateChanged>)
                        mock(Event.class));
    }

    @AfterEach
    void tearDown() {
        control.shutdownNow();
        writer.shutdownNow();
    }

    private static MembershipChanged lost(String... left) {
        return new MembershipChanged(
                List.of(),
                List.of(left),
                false,
                new ViewHistory.Snapshot(List.of("n1"), ALL, false, System.currentTimeMillis(), 0));
    }

    /** A registry write of c1 caught by the cut: it holds the client's lock until the remote timeout. */
    private CountDownLatch writeCaughtByTheCut() throws InterruptedException {
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch timedOut = new CountDownLatch(1);
        writer.execute(() -> locks.run("c1", () -> {
            held.countDown();
            try {
                timedOut.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        assertThat(held.await(2, TimeUnit.SECONDS)).isTrue();
        return timedOut;
    }

    @Test
    void losingQuorumReleasesASessionWhoseClientLockAWriteHolds() throws InterruptedException {
        CountDownLatch timedOut = writeCaughtByTheCut();
        when(ownership.quorum()).thenReturn(false);

        reconciler.viewChanged(lost("n2", "n3"));

        // Before the write gives up: the others may take c1 over a lease after they lost this node.
        verify(connections, timeout(2_000)).release("c1");
        timedOut.countDown();
    }

    @Test
    void losingQuorumReleasesEverySessionEvenWhileEveryPoolThreadWaitsForALock() throws InterruptedException {
        CountDownLatch timedOut = writeCaughtByTheCut();
        when(ownership.quorum()).thenReturn(false);
        // Reconciles of c1, queued before the view, on every thread of the pool: each waits for c1's lock.
        for (int i = 0; i < 16; i++) {
            control.execute(() -> reconciler.reconcile("c1"));
        }

        reconciler.viewChanged(lost("n2", "n3"));

        verify(connections, timeout(1_000)).release("c1"); // not queued behind the waiting reconciles
        timedOut.countDown();
    }

    @Test
    void aLapseThatEndedBeforeTheViewIsHandledKeepsTheSessions() throws InterruptedException {
        CountDownLatch timedOut = writeCaughtByTheCut();
        when(ownership.quorum()).thenReturn(true); // a short lapse: the view with quorum came meanwhile

        reconciler.viewChanged(lost("n2"));

        timedOut.countDown();
        writer.shutdown();
        assertThat(writer.awaitTermination(2, TimeUnit.SECONDS)).isTrue();
        control.shutdown();
        assertThat(control.awaitTermination(2, TimeUnit.SECONDS)).isTrue();
        verify(connections, never()).release("c1");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aBurstOfRegistryNotificationsForOneClientQueuesOnePass() throws InterruptedException {
        ArgumentCaptor<Consumer<String>> listener = ArgumentCaptor.forClass(Consumer.class);
        reconciler.start();
        verify(subscriptions).listen(listener.capture());
        when(ownership.quorum()).thenReturn(true);
        // Every control thread busy: the notifications' passes wait in the pool's queue.
        CountDownLatch busy = new CountDownLatch(1);
        for (int i = 0; i < 16; i++) {
            control.execute(() -> {
                try {
                    busy.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }

        for (int i = 0; i < 100; i++) { // a client created with 100 channels
            listener.getValue().accept("c1");
        }
        busy.countDown();
        control.shutdown();
        assertThat(control.awaitTermination(5, TimeUnit.SECONDS)).isTrue();

        verify(clients, times(1)).find("c1");
        // A notification after that pass started queues another.
        ExecutorService next = Executors.newSingleThreadExecutor();
        when(executorsControl.control()).thenReturn(next);
        listener.getValue().accept("c1");
        next.shutdown();
        assertThat(next.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        verify(clients, times(2)).find("c1");
    }
}
