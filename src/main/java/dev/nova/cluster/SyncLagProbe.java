package dev.nova.cluster;

import dev.nova.concurrency.NovaExecutors;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Measures how long a write takes to reach every member: every few seconds it writes a probe into the replicated
 * {@code probes} cache and times the synchronous put, which returns once all members applied it. That round trip
 * is the registry's sync lag, as {@code GET /api/cluster/health} reports it.
 */
@ApplicationScoped
public class SyncLagProbe {

    static final long INTERVAL_MS = 5_000;
    private static final Logger LOG = Logger.getLogger(SyncLagProbe.class.getName());

    private final ClusterRuntime cluster;
    private final NovaExecutors executors;
    private volatile long lastLagMicros = -1;
    private ScheduledFuture<?> task;

    @Inject
    public SyncLagProbe(ClusterRuntime cluster, NovaExecutors executors) {
        this.cluster = cluster;
        this.executors = executors;
    }

    protected SyncLagProbe() {
        this(null, null);
    }

    @PostConstruct
    void start() {
        task = executors
                .timers()
                .scheduleWithFixedDelay(
                        () -> executors.control().execute(this::measure), 0, INTERVAL_MS, TimeUnit.MILLISECONDS);
    }

    /** Starts with the application rather than on first use. */
    void onStart(@Observes @Initialized(ApplicationScoped.class) Object event) {
        // Instantiating the bean is enough: @PostConstruct schedules the work.
    }

    @PreDestroy
    void stop() {
        if (task != null) {
            task.cancel(false);
        }
    }

    /** One probe write; returns the measured lag in microseconds. */
    public long measure() {
        try {
            long start = System.nanoTime();
            cluster.probes().put(cluster.identity().name(), System.currentTimeMillis());
            lastLagMicros = (System.nanoTime() - start) / 1_000;
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "sync lag probe failed", e);
        }
        return lastLagMicros;
    }

    /** The last measured lag in milliseconds (fractional), or -1 before the first probe. */
    public double lastLagMs() {
        long micros = lastLagMicros;
        return micros < 0 ? -1 : micros / 1000.0;
    }
}
