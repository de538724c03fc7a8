package dev.nova.concurrency;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeliveryPoolTest {

    private DeliveryPool pool;

    @AfterEach
    void stop() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void aHeldUpThreadIsMadeUpForSoThatQueuedTasksStillRun() throws InterruptedException {
        pool = new DeliveryPool(1, 4, 50, Executors.defaultThreadFactory());
        pool.watch(Executors.defaultThreadFactory(), 10);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch holding = new CountDownLatch(1);
        pool.execute(() -> {
            holding.countDown();
            awaitQuietly(release);
        });
        assertThat(holding.await(5, TimeUnit.SECONDS)).isTrue();
        CountDownLatch ran = new CountDownLatch(1);
        pool.execute(ran::countDown);

        // The pool's only thread is held: the queued task runs on the thread the watchdog adds for it.
        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(pool.heldUp()).isEqualTo(1);
        assertThat(pool.getCorePoolSize()).isGreaterThanOrEqualTo(2);

        release.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pool.getPoolSize() != 1 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(pool.heldUp()).isZero();
        assertThat(pool.getCorePoolSize()).isEqualTo(1);
        assertThat(pool.getPoolSize()).as("the added thread left").isEqualTo(1);
    }

    @Test
    void slowTasksThatEachStayUnderTheLimitGetMoreThreadsWhileTheQueueWaitsAndThenLetThemGo()
            throws InterruptedException {
        pool = new DeliveryPool(1, 64, 50, Executors.defaultThreadFactory());
        pool.watch(Executors.defaultThreadFactory(), 10);
        int tasks = 40;
        CountDownLatch done = new CountDownLatch(tasks);
        for (int i = 0; i < tasks; i++) {
            pool.execute(() -> {
                sleepQuietly(20);
                done.countDown();
            });
        }
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        // No task ran 50 ms, but the queue's head waited longer: a few threads (4 × base at most) were added.
        assertThat(pool.getLargestPoolSize()).isBetween(2, 5);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pool.getPoolSize() != 1 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(pool.getPoolSize()).isEqualTo(1);
    }

    @Test
    void withoutTheWatchdogAHeldUpThreadKeepsTheQueueWaiting() throws InterruptedException {
        pool = new DeliveryPool(1, 4, 50, Executors.defaultThreadFactory());
        CountDownLatch release = new CountDownLatch(1);
        pool.execute(() -> awaitQuietly(release));
        CountDownLatch ran = new CountDownLatch(1);
        pool.execute(ran::countDown);

        assertThat(ran.await(300, TimeUnit.MILLISECONDS)).isFalse();
        release.countDown();
        assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void shortTasksAreTakenInTurnByTheBaseThreadsAlone() throws InterruptedException {
        pool = new DeliveryPool(2, 64, 2_000, Executors.defaultThreadFactory());
        pool.watch(Executors.defaultThreadFactory(), 10);
        int tasks = 20_000;
        CountDownLatch done = new CountDownLatch(tasks);
        AtomicInteger sum = new AtomicInteger();
        for (int i = 0; i < tasks; i++) {
            pool.execute(() -> {
                sum.incrementAndGet();
                done.countDown();
            });
        }
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(sum.get()).isEqualTo(tasks);
        assertThat(pool.getLargestPoolSize()).isEqualTo(2);
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
