package dev.nova.concurrency;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node's thread pools, built on the container's {@link ManagedThreadFactory}: {@link #timers()} for
 * scheduling, {@link #control()} for the clients' lifecycle lanes (short tasks that never wait on the network),
 * {@link #connector()} for blocking WebSocket handshakes, {@link #inbound()} for handling what exchange sessions
 * receive (decoding, sequencing, fan-out: beside the WebSocket reading threads), {@link #delivery()} for handing
 * market data to consumers, {@link #reports()} for writing the states clients reach to the registry. Each has its own pool so that a slow exchange or slow consumers can never hold up the others.
 *
 * <p>The delivery pool ({@link DeliveryPool}) has a thread per core (two at least) that take queued deliveries in
 * turn, and adds one for each thread held up in a delivery for longer than {@value #HELD_UP_MILLIS} ms, and a few
 * more while queued deliveries wait that long (up to {@value #MAX_DELIVERY_THREADS}): on Open Liberty a servlet write
 * goes to the socket synchronously, also in non-blocking mode (measured: {@code HttpOutputStreamImpl.flushBuffers} →
 * {@code synchWrite}), so a consumer that stops reading holds its thread until the socket drains or Liberty's write
 * timeout (60 s by default) fails the write. A fixed pool of a few threads let a few such consumers stop delivery to
 * every other consumer of the node.
 */
@ApplicationScoped
public class NovaExecutors {

    /** Delivery threads at most: consumers whose writes may all be waiting on their sockets at once. */
    static final int MAX_DELIVERY_THREADS = 256;

    /** How long a delivery runs before its thread counts as held up by its consumer, and is made up for. */
    static final long HELD_UP_MILLIS = 50;

    @Resource(lookup = "java:comp/DefaultManagedThreadFactory")
    private ManagedThreadFactory threadFactory;

    private ScheduledThreadPoolExecutor timers;
    private ThreadPoolExecutor control;
    private ThreadPoolExecutor connector;
    private DeliveryPool delivery;
    private ThreadPoolExecutor inbound;
    private ThreadPoolExecutor reports;
    private final List<ScheduledThreadPoolExecutor> dedicated = new CopyOnWriteArrayList<>();

    @PostConstruct
    void start() {
        int cores = Runtime.getRuntime().availableProcessors();
        timers = new ScheduledThreadPoolExecutor(2, named("nova-timer"));
        timers.setRemoveOnCancelPolicy(true);
        control = fixed(16, "nova-control");
        // State reports wait on replication: room for a slow member without holding up one another for long.
        reports = fixed(16, "nova-report");
        connector = fixed(32, "nova-connect");
        delivery = new DeliveryPool(Math.max(2, cores), MAX_DELIVERY_THREADS, HELD_UP_MILLIS, named("nova-delivery"));
        delivery.watch(named("nova-delivery-watch"), HELD_UP_MILLIS / 2);
        // CPU-bound work that never waits: about as many threads as cores, a few more so that a busy session's
        // task (which yields after a bounded run) does not hold up the others for long.
        inbound = fixed(Math.max(4, cores * 2), "nova-inbound");
    }

    /** Lets queued work finish briefly (other beans may still be closing sessions), then stops every pool. */
    @PreDestroy
    void stop() {
        // Delivery first: its grace period is when consumers get their last events and their streams are closed.
        List<ExecutorService> pools = new ArrayList<>(List.of(delivery, timers, control, connector, inbound, reports));
        pools.addAll(dedicated);
        pools.forEach(ExecutorService::shutdown);
        try {
            for (ExecutorService pool : pools) {
                pool.awaitTermination(2, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pools.forEach(ExecutorService::shutdownNow);
    }

    public ScheduledExecutorService timers() {
        return timers;
    }

    /**
     * A scheduler with a thread of its own, for periodic work that must run on time whatever the shared timers are
     * doing (the cluster lease: a late check is a late pause). Stopped with the others.
     */
    public ScheduledExecutorService dedicated(String name) {
        ScheduledThreadPoolExecutor own = new ScheduledThreadPoolExecutor(1, named(name));
        own.setRemoveOnCancelPolicy(true);
        dedicated.add(own);
        return own;
    }

    public ExecutorService control() {
        return control;
    }

    /** Where the states clients reach are written to the registry: writes that wait on the other members. */
    public ExecutorService reports() {
        return reports;
    }

    public ExecutorService connector() {
        return connector;
    }

    public ExecutorService delivery() {
        return delivery;
    }

    public ExecutorService inbound() {
        return inbound;
    }

    private ThreadPoolExecutor fixed(int threads, String prefix) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(
                threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), named(prefix));
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    private ThreadFactory named(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = threadFactory.newThread(task);
            thread.setName(prefix + "-" + count.incrementAndGet());
            return thread;
        };
    }
}
