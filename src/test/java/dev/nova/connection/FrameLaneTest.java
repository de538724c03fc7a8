package dev.nova.connection;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FrameLaneTest {

    @Test
    void framesAreHandledOnAnotherThreadInArrivalOrderWithTheirReceiveTime() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<String> handled = new ArrayList<>();
            List<Long> times = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            CountDownLatch all = new CountDownLatch(20_000);
            FrameLane lane = new FrameLane(64, pool, (text, receivedAt) -> {
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
    void aFullLaneMakesTheReaderWaitAndLosesNothing() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger handled = new AtomicInteger();
            FrameLane lane = new FrameLane(4, pool, (text, receivedAt) -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                handled.incrementAndGet();
            });
            Thread reader = new Thread(() -> {
                for (int i = 0; i < 10; i++) {
                    lane.offer("frame " + i, i);
                }
            });
            reader.start();

            // The handler holds the first frame; four more fill the lane; the reader waits with the sixth.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (reader.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertThat(reader.getState()).isEqualTo(Thread.State.WAITING);
            assertThat(lane.backlog()).isEqualTo(4);

            release.countDown();
            reader.join(5_000);
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (handled.get() < 10 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertThat(handled).hasValue(10);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void whenTheExecutorRefusesWorkFramesAreHandledOnTheReadingThread() {
        ExecutorService stopped = Executors.newSingleThreadExecutor();
        stopped.shutdown();
        List<Thread> threads = new ArrayList<>();
        FrameLane lane = new FrameLane(8, stopped, (text, receivedAt) -> threads.add(Thread.currentThread()));

        lane.offer("a", 1);
        lane.offer("b", 2);

        assertThat(threads).containsExactly(Thread.currentThread(), Thread.currentThread());
    }

    @Test
    void aHandlerThatThrowsDoesNotStopTheLane() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            CountDownLatch after = new CountDownLatch(1);
            FrameLane lane = new FrameLane(8, pool, (text, receivedAt) -> {
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
}
