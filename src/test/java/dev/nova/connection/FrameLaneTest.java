package dev.nova.connection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nova.concurrency.Deferred;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

class FrameLaneTest {

    /** A reader's own look-again interval longer than any test: only the handler's wake-up lets it go on. */
    private static final long NO_SELF_WAKE = TimeUnit.MINUTES.toNanos(10);

    @Test
    void framesAreHandledOnAnotherThreadInArrivalOrderWithTheirReceiveTime() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<String> handled = new ArrayList<>();
            List<Long> times = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            CountDownLatch all = new CountDownLatch(20_000);
            FrameLane lane = new FrameLane(64, 1 << 20, pool, (text, receivedAt) -> {
                handled.add(text);
                times.add(receivedAt);
                threads.add(Thread.currentThread());
                all.countDown();
            });

            for (int i = 0; i < 20_000; i++) {
                lane.offer("frame " + i, 1_000L + i);
            }

            assertThat(all.await(10, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 20_000; i++) {
                assertThat(handled.get(i)).isEqualTo("frame " + i);
                assertThat(times.get(i)).isEqualTo(1_000L + i);
            }
            assertThat(threads).doesNotContain(Thread.currentThread());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void workAHandlerPutsOffRunsAfterEverySixtyFourFramesAndAtTheEndOfABatch() {
        List<Runnable> tasks = new ArrayList<>();
        List<String> events = new ArrayList<>();
        FrameLane lane = new FrameLane(256, 1 << 20, tasks::add, (text, receivedAt) -> {
            events.add(text);
            assertThat(Deferred.defer(() -> events.add("delivered " + text))).isTrue();
        });
        for (int i = 0; i < 70; i++) {
            lane.offer(Integer.toString(i), i);
        }

        tasks.remove(0).run();

        assertThat(events).hasSize(140);
        assertThat(events.get(63)).isEqualTo("63");
        assertThat(events.get(64)).isEqualTo("delivered 0");
        assertThat(events.get(127)).isEqualTo("delivered 63");
        assertThat(events.get(128)).isEqualTo("64");
        assertThat(events.get(133)).isEqualTo("69");
        assertThat(events.subList(134, 140))
                .containsExactly(
                        "delivered 64", "delivered 65", "delivered 66", "delivered 67", "delivered 68", "delivered 69");
        assertThat(Deferred.defer(() -> {}))
                .as("no scope left open on the thread")
                .isFalse();
    }

    @Test
    void aFullLaneMakesTheReaderWaitAndLosesNothing() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            CountDownLatch handling = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            List<String> handled = new CopyOnWriteArrayList<>();
            FrameLane lane = new FrameLane(4, 1 << 20, NO_SELF_WAKE, pool, (text, receivedAt) -> {
                handling.countDown();
                await(release);
                handled.add(text);
            });
            lane.offer("frame 0", 0);
            assertThat(handling.await(5, TimeUnit.SECONDS)).isTrue();
            AtomicInteger offered = new AtomicInteger(1);
            Thread reader = startReader(lane, 1, 10, offered);

            // The handler holds the first frame; four more fill the lane; the reader cannot offer the sixth.
            awaitTrue(() -> offered.get() == 5 && lane.backlog() == 4);
            Thread.sleep(50);
            assertThat(offered).hasValue(5);
            assertThat(lane.backlog()).isEqualTo(4);

            release.countDown();
            reader.join(5_000);
            awaitTrue(() -> handled.size() == 10);
            assertThat(handled).containsExactly(range("frame ", 10));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aWaitingReaderGoesOnOnceHalfTheLaneIsFreeNotAtTheFirstFreeSlot() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Semaphore permits = new Semaphore(0);
            List<String> handled = new CopyOnWriteArrayList<>();
            FrameLane lane = new FrameLane(8, 1 << 20, NO_SELF_WAKE, pool, (text, receivedAt) -> {
                permits.acquireUninterruptibly();
                handled.add(text);
            });
            lane.offer("frame 0", 0);
            awaitTrue(() -> lane.backlog() == 0);
            AtomicInteger offered = new AtomicInteger(1);
            Thread reader = startReader(lane, 1, 20, offered);
            // frame 0 is taken and held; frames 1 to 8 fill the lane; the reader waits with frame 9.
            awaitTrue(() -> offered.get() == 9 && lane.backlog() == 8);

            // Three frames taken (frames 1 to 3 leave the queue as frames 0 to 2 are handled): five still queued.
            permits.release(3);
            awaitTrue(() -> handled.size() == 3);
            Thread.sleep(50);
            assertThat(offered).hasValue(9);

            // The fourth leaves four of eight: the reader goes on.
            permits.release(1);
            awaitTrue(() -> offered.get() > 9);

            permits.release(100);
            reader.join(5_000);
            awaitTrue(() -> handled.size() == 20);
            assertThat(handled).containsExactly(range("frame ", 20));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aLaneFullOfCharactersMakesTheReaderWaitButAFrameLargerThanTheBudgetStillPassesAlone() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            CountDownLatch handling = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            List<String> handled = new CopyOnWriteArrayList<>();
            FrameLane lane = new FrameLane(100, 10, NO_SELF_WAKE, pool, (text, receivedAt) -> {
                handling.countDown();
                await(release);
                handled.add(text);
            });
            lane.offer("held", 0);
            assertThat(handling.await(5, TimeUnit.SECONDS)).isTrue();
            AtomicInteger offered = new AtomicInteger();
            Thread reader = new Thread(() -> {
                for (String text : List.of("123456", "12345", "a frame over the budget")) {
                    lane.offer(text, 0);
                    offered.incrementAndGet();
                }
            });
            reader.start();

            // "held" is being handled; "123456" (6 of 10 characters) waits; "12345" would make 11.
            awaitTrue(() -> offered.get() == 1 && lane.backlog() == 1);
            Thread.sleep(50);
            assertThat(offered).hasValue(1);

            release.countDown();
            reader.join(5_000);
            awaitTrue(() -> handled.size() == 4);
            assertThat(handled).containsExactly("held", "123456", "12345", "a frame over the budget");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void closingReleasesAWaitingReaderAndDiscardsWhatIsQueued() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            CountDownLatch release = new CountDownLatch(1);
            List<String> handled = new CopyOnWriteArrayList<>();
            FrameLane lane = new FrameLane(2, 1 << 20, NO_SELF_WAKE, pool, (text, receivedAt) -> {
                await(release);
                handled.add(text);
            });
            lane.offer("frame 0", 0);
            awaitTrue(() -> lane.backlog() == 0);
            AtomicInteger offered = new AtomicInteger(1);
            Thread reader = startReader(lane, 1, 5, offered);
            // frame 0 is being handled, frames 1 and 2 fill the lane, the reader waits to offer frame 3.
            awaitTrue(() -> offered.get() == 3 && lane.backlog() == 2);

            lane.close();
            reader.join(5_000);
            assertThat(reader.isAlive()).as("the reader, released by the close").isFalse();
            assertThat(lane.backlog()).isEqualTo(2);
            release.countDown();

            // The frames queued at the close are discarded, not handled.
            awaitTrue(() -> lane.backlog() == 0);
            Thread.sleep(50);
            assertThat(handled).containsExactly("frame 0");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anActionRunsAfterEveryFrameOfferedBeforeIt() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<String> events = new CopyOnWriteArrayList<>();
            CountDownLatch done = new CountDownLatch(1);
            FrameLane lane = new FrameLane(16, 1 << 20, pool, (text, receivedAt) -> events.add(text));
            for (int i = 0; i < 1_000; i++) {
                lane.offer("frame " + i, i);
            }
            lane.then(() -> {
                events.add("closed");
                done.countDown();
            });

            assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(events).hasSize(1_001).endsWith("closed");
            assertThat(events.subList(0, 1_000)).containsExactly(range("frame ", 1_000));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void whenTheExecutorRefusesWorkFramesAreHandledOnTheReadingThread() {
        ExecutorService stopped = Executors.newSingleThreadExecutor();
        stopped.shutdown();
        List<Thread> threads = new ArrayList<>();
        FrameLane lane = new FrameLane(8, 1 << 20, stopped, (text, receivedAt) -> threads.add(Thread.currentThread()));

        lane.offer("a", 1);
        lane.offer("b", 2);

        assertThat(threads).containsExactly(Thread.currentThread(), Thread.currentThread());
    }

    @Test
    void aHandlerThatThrowsDoesNotStopTheLane() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            CountDownLatch after = new CountDownLatch(1);
            FrameLane lane = new FrameLane(8, 1 << 20, pool, (text, receivedAt) -> {
                if (text.equals("bad")) {
                    throw new IllegalStateException("handler bug");
                }
                after.countDown();
            });

            lane.offer("bad", 1);
            lane.offer("good", 2);

            assertThat(after.await(5, TimeUnit.SECONDS)).isTrue();
        } finally {
            pool.shutdownNow();
        }
    }

    /** A reading thread offering "frame from" to "frame (to - 1)", counting each offer that returned. */
    private static Thread startReader(FrameLane lane, int from, int to, AtomicInteger offered) {
        Thread reader = new Thread(() -> {
            for (int i = from; i < to; i++) {
                lane.offer("frame " + i, i);
                offered.incrementAndGet();
            }
        });
        reader.start();
        return reader;
    }

    private static String[] range(String prefix, int count) {
        String[] values = new String[count];
        for (int i = 0; i < count; i++) {
            values[i] = prefix + i;
        }
        return values;
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(1);
        }
    }
}
