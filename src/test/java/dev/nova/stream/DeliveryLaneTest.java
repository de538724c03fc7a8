package dev.nova.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nova.concurrency.Deferred;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DeliveryLaneTest {

    /** An executor the test runs by hand, counting the tasks it was given. */
    private static final class ManualExecutor implements Executor {
        final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
        int submitted;

        @Override
        public void execute(Runnable task) {
            submitted++;
            tasks.add(task);
        }

        void runAll() {
            while (!tasks.isEmpty()) {
                tasks.poll().run();
            }
        }
    }

    /** A lane that records its batches and answers each delivery with what {@code reply} gives. */
    private static final class RecordingLane extends DeliveryLane<Integer> {
        final List<List<Integer>> batches = new ArrayList<>();
        final List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        Function<List<Integer>, CompletionStage<?>> reply = batch -> null;
        final AtomicInteger overflows = new AtomicInteger();

        RecordingLane(int capacity, Executor executor) {
            super(capacity, executor);
        }

        @Override
        protected CompletionStage<?> deliver(List<Integer> batch) {
            synchronized (batches) {
                batches.add(List.copyOf(batch));
            }
            return reply.apply(batch);
        }

        @Override
        protected void overflowed() {
            overflows.incrementAndGet();
        }

        @Override
        protected void failed(Throwable error) {
            failures.add(error);
        }

        List<Integer> delivered() {
            synchronized (batches) {
                return batches.stream().flatMap(List::stream).toList();
            }
        }
    }

    @Test
    void insideADeferredScopeTheDrainStartsWhenTheScopeFlushes() {
        RecordingLane lane = new RecordingLane(100, Runnable::run);
        try (Deferred scope = Deferred.open()) {
            for (int i = 0; i < 10; i++) {
                assertThat(lane.offer(i)).isTrue();
            }
            assertThat(lane.batches).isEmpty();
            scope.flush();
            assertThat(lane.batches).containsExactly(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
            lane.offer(10);
            assertThat(lane.batches).hasSize(1);
        }
        // closing flushed the rest; outside a scope the drain starts at once again
        assertThat(lane.delivered()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        lane.offer(11);
        assertThat(lane.batches).last().isEqualTo(List.of(11));
    }

    @Test
    void aLaneWhoseExecutorIsBusyKeepsItsItemsUntilTheNextOfferOrARetryButAStoppedOneCloses() {
        boolean[] refuse = {true};
        ManualExecutor accepted = new ManualExecutor();
        RecordingLane lane = new RecordingLane(100, task -> {
            if (refuse[0]) {
                throw new RejectedExecutionException("every thread busy");
            }
            accepted.execute(task);
        });
        lane.offer(1);
        lane.offer(2);
        assertThat(lane.failures).isEmpty();
        assertThat(lane.isClosed()).isFalse();
        assertThat(lane.backlog()).isEqualTo(2);

        refuse[0] = false;
        lane.offer(3);
        accepted.runAll();
        assertThat(lane.delivered()).containsExactly(1, 2, 3);

        refuse[0] = true;
        lane.offer(4);
        refuse[0] = false;
        lane.retry();
        accepted.runAll();
        assertThat(lane.delivered()).containsExactly(1, 2, 3, 4);

        ExecutorService stopped = Executors.newSingleThreadExecutor();
        stopped.shutdown();
        RecordingLane stopping = new RecordingLane(100, stopped);
        stopping.offer(1);
        assertThat(stopping.isClosed()).isTrue();
        assertThat(stopping.failures).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void aLaneHoldsExactlyItsCapacityNotTheQueuesPowerOfTwo(int capacity) {
        ManualExecutor executor = new ManualExecutor();
        RecordingLane lane = new RecordingLane(capacity, executor);
        for (int i = 0; i < capacity; i++) {
            assertThat(lane.offer(i)).isTrue();
        }

        assertThat(lane.offer(capacity)).isFalse();
        assertThat(lane.overflows.get()).isEqualTo(1);

        executor.runAll();
        assertThat(lane.delivered()).containsExactlyElementsOf(range(capacity));
        assertThat(lane.offer(capacity + 1)).isTrue();
        executor.runAll();
        assertThat(lane.delivered()).last().isEqualTo(capacity + 1);
    }

    /**
     * Producers keep offering while deliveries complete on other threads and the lane is closed under them: once closed
     * it is emptied (nothing is left queued, whichever thread held it) and at most the batch the drain had already
     * taken goes out after the close.
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // two consumers of the queue can spin forever
    void aLaneClosedWhileProducersOfferAndWritesCompleteElsewhereEndsEmpty() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        ExecutorService writes = Executors.newSingleThreadExecutor();
        try {
            for (int round = 0; round < 200; round++) {
                RecordingLane lane = new RecordingLane(64, pool);
                AtomicBoolean closeReturned = new AtomicBoolean();
                AtomicInteger afterClose = new AtomicInteger();
                lane.reply = batch -> {
                    if (closeReturned.get()) {
                        afterClose.incrementAndGet();
                    }
                    return batch.get(0) % 3 == 0 ? CompletableFuture.runAsync(() -> {}, writes) : null;
                };
                Thread[] producers = new Thread[2];
                for (int t = 0; t < producers.length; t++) {
                    producers[t] = new Thread(() -> {
                        for (int i = 0; !lane.isClosed(); i++) {
                            lane.offer(i);
                        }
                    });
                    producers[t].start();
                }
                Thread.sleep(1);
                lane.close();
                closeReturned.set(true);
                for (Thread producer : producers) {
                    producer.join();
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (lane.backlog() > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                assertThat(lane.backlog())
                        .as("round %d: items left queued", round)
                        .isZero();
                assertThat(afterClose.get())
                        .as("round %d: batches begun after the close", round)
                        .isLessThanOrEqualTo(1);
                assertThat(lane.failures).isEmpty();
            }
        } finally {
            pool.shutdownNow();
            writes.shutdownNow();
        }
    }

    @Test
    void aClosedLaneDiscardsWhatItQueuedWhetherOrNotADeliveryIsUnderWay() {
        ManualExecutor executor = new ManualExecutor();
        RecordingLane scheduled = new RecordingLane(100, executor);
        scheduled.offer(1);
        scheduled.offer(2);
        scheduled.close();
        assertThat(scheduled.offer(3)).isFalse();
        executor.runAll();
        assertThat(scheduled.delivered()).isEmpty();
        assertThat(scheduled.backlog()).isZero();

        // No drain under way (the pool was busy): the closing thread empties the lane itself.
        RecordingLane refused = new RecordingLane(100, task -> {
            throw new RejectedExecutionException("every thread busy");
        });
        refused.offer(1);
        refused.offer(2);
        refused.close();
        assertThat(refused.backlog()).isZero();

        RecordingLane writing = new RecordingLane(100, executor);
        CompletableFuture<Void> write = new CompletableFuture<>();
        writing.reply = batch -> batch.get(0) == 0 ? write : null;
        writing.offer(0);
        executor.runAll();
        writing.offer(1);
        writing.offer(2);
        // The drain waiting for its write holds the lane: the close leaves the emptying to it.
        writing.close();
        write.complete(null);
        executor.runAll();
        assertThat(writing.delivered()).containsExactly(0);
        assertThat(writing.backlog()).isZero();
    }

    @Test
    void itemsOfSeveralThreadsAreEachDeliveredOnceInTheOrderEachOfferedThem() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            RecordingLane lane = new RecordingLane(100_000, pool);
            int perThread = 20_000;
            Thread[] producers = new Thread[3];
            for (int t = 0; t < producers.length; t++) {
                int base = t * perThread;
                producers[t] = new Thread(() -> {
                    for (int i = 0; i < perThread; i++) {
                        lane.offer(base + i);
                    }
                });
                producers[t].start();
            }
            for (Thread producer : producers) {
                producer.join();
            }
            int count = producers.length * perThread;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (lane.delivered().size() < count && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            List<Integer> delivered = lane.delivered();
            assertThat(delivered).hasSize(count).doesNotHaveDuplicates();
            for (int t = 0; t < producers.length; t++) {
                int base = t * perThread;
                assertThat(delivered.stream().filter(i -> i >= base && i < base + perThread))
                        .as("producer %d's items in its order", t)
                        .containsExactlyElementsOf(range(base, base + perThread));
            }
            assertThat(lane.overflows.get()).isZero();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void whatQueuedUpBeforeTheDrainGoesOutInOneBatch() {
        ManualExecutor executor = new ManualExecutor();
        RecordingLane lane = new RecordingLane(100, executor);
        for (int i = 0; i < 40; i++) {
            lane.offer(i);
        }

        executor.runAll();

        assertThat(executor.submitted).isEqualTo(1);
        assertThat(lane.batches).hasSize(1);
        assertThat(lane.delivered()).hasSize(40).isSorted();
    }

    @Test
    void batchesThatArriveDuringACompletedDeliveryFollowOnTheSameTaskUpToABound() {
        ManualExecutor executor = new ManualExecutor();
        RecordingLane lane = new RecordingLane(100, executor);
        int[] next = {1};
        // Every delivery sees one more item arrive while it writes (as the reading thread keeps offering).
        lane.reply = batch -> {
            if (next[0] < 40) {
                lane.offer(next[0]++);
            }
            return CompletableFuture.completedFuture(null);
        };
        lane.offer(0);

        executor.tasks.poll().run();

        // One task delivered 16 batches, one after the other, then handed the lane back to the executor.
        assertThat(lane.batches).hasSize(16);
        assertThat(executor.submitted).isEqualTo(2);
        executor.runAll();
        assertThat(lane.delivered()).containsExactlyElementsOf(range(40));
        assertThat(executor.submitted).isEqualTo(3);
    }

    @Test
    void aDeliveryThatCompletesLaterHoldsTheNextBatchUntilItDoes() {
        ManualExecutor executor = new ManualExecutor();
        RecordingLane lane = new RecordingLane(100, executor);
        CompletableFuture<Void> write = new CompletableFuture<>();
        lane.reply = batch -> batch.get(0) == 0 ? write : null;
        lane.offer(0);
        executor.runAll();
        lane.offer(1);
        lane.offer(2);
        executor.runAll();

        assertThat(lane.delivered()).containsExactly(0);

        write.complete(null);
        executor.runAll();

        assertThat(lane.batches).containsExactly(List.of(0), List.of(1, 2));
    }

    @Test
    void everyItemIsDeliveredOnceAndInOrderWhileAnotherThreadKeepsOffering() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            RecordingLane lane = new RecordingLane(200_000, pool);
            int count = 100_000;
            for (int i = 0; i < count; i++) {
                assertThat(lane.offer(i)).isTrue();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (lane.delivered().size() < count && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(lane.delivered()).containsExactlyElementsOf(range(count));
            assertThat(lane.failures).isEmpty();
        } finally {
            pool.shutdownNow();
        }
    }

    private static List<Integer> range(int count) {
        return range(0, count);
    }

    private static List<Integer> range(int from, int to) {
        List<Integer> values = new ArrayList<>();
        for (int i = from; i < to; i++) {
            values.add(i);
        }
        return values;
    }
}
