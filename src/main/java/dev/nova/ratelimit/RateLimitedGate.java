package dev.nova.ratelimit;

import dev.nova.cluster.Leases;
import dev.nova.concurrency.NovaExecutors;
import dev.nova.concurrency.SerialExecutor;
import dev.nova.model.ClientSpec;
import dev.nova.telemetry.ClusterEvent;
import dev.nova.telemetry.ClusterEvents;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The {@link OutboundGate} of the node: a request whose budget admits it goes at once; otherwise it waits in its
 * budget's queue on this node (bounded, heartbeats before connects and authentication before (un)subscribes before
 * other requests) until the budget has refilled, or is rejected with a retry-after and never sent. A node asks the
 * budget for one request at a time per scope, so its waiting requests go in priority order.
 *
 * <p>A heartbeat that the budget has not answered within {@value #HEARTBEAT_GRACE_MS} ms, or whose budget cannot be
 * read at all (a partition, a merge in progress), goes anyway: the exchange ends a session whose heartbeat is late,
 * and the heartbeat reserve that every other request leaves in the budget is there to pay for it. A heartbeat the
 * budget has refused (the reserve is spent) still waits.
 *
 * <p>Before any budget, the cluster lease: a node that no quorum confirms now (cut off, or just resumed after a hang
 * during which the others may have taken its clients over) sends nothing, not even a heartbeat; the request fails
 * and is never sent. The lease is judged at the moment of the request, not at the lease's last periodic check.
 */
@ApplicationScoped
public class RateLimitedGate implements OutboundGate {

    private static final Logger LOG = Logger.getLogger(RateLimitedGate.class.getName());
    /** How long a heartbeat waits for its budget's answer before it goes anyway. */
    static final long HEARTBEAT_GRACE_MS = 250;

    private static final Comparator<Ticket> ORDER =
            Comparator.comparingInt((Ticket t) -> t.operation.priority()).thenComparingLong(t -> t.sequence);

    private final RateLimiter limiter;
    private final Supplier<ScheduledExecutorService> timers;
    private final Supplier<Executor> control;
    private final BiConsumer<String, String> backedOff;
    private final BooleanSupplier leaseHeld;
    private final Map<String, ScopeQueue> queues = new ConcurrentHashMap<>();
    private final AtomicLong admitted = new AtomicLong();
    private final AtomicLong delayed = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong backOffs = new AtomicLong();
    private final AtomicLong unleased = new AtomicLong();

    @Inject
    public RateLimitedGate(RateLimiter limiter, NovaExecutors executors, ClusterEvents events, Leases leases) {
        this(
                limiter,
                executors::timers,
                executors::control,
                (client, scope) -> events.publish(ClusterEvent.RATE_LIMIT_BACKOFF, client, null, scope),
                leases::confirmedNow);
    }

    /**
     * @param backedOff told (client, scope) on a control thread when a budget was emptied after an exchange
     *     throttled a client
     * @param leaseHeld whether a quorum confirms this node now (see {@code Leases})
     */
    RateLimitedGate(
            RateLimiter limiter,
            Supplier<ScheduledExecutorService> timers,
            Supplier<Executor> control,
            BiConsumer<String, String> backedOff,
            BooleanSupplier leaseHeld) {
        this.limiter = limiter;
        this.timers = timers;
        this.control = control;
        this.backedOff = backedOff;
        this.leaseHeld = leaseHeld;
    }

    protected RateLimitedGate() {
        this(null, null, null, (client, scope) -> {}, () -> true);
    }

    @Override
    public CompletableFuture<Void> acquire(Operation operation, ClientSpec client, String connection) {
        if (!leaseHeld.getAsBoolean()) {
            unleased.incrementAndGet();
            return CompletableFuture.failedFuture(new LeaseLapsedException(operation, connection));
        }
        Optional<Draw> draw = limiter.draw(operation, client, connection, null);
        if (draw.isEmpty()) {
            admitted.incrementAndGet();
            return CompletableFuture.completedFuture(null);
        }
        return queues.computeIfAbsent(draw.get().scope().key(), ScopeQueue::new)
                .submit(operation, client.name(), draw.get());
    }

    @Override
    public void throttled(Operation operation, ClientSpec client, String connection) {
        limiter.draw(operation, client, connection, null).ifPresent(draw -> {
            backOffs.incrementAndGet();
            limiter.backOff(draw)
                    .whenCompleteAsync(
                            (taken, error) -> {
                                String key = draw.scope().key();
                                if (error != null) {
                                    LOG.warning(() -> "NOVA-8002 could not back off budget " + key + ": " + error);
                                    return;
                                }
                                LOG.warning(() ->
                                        "NOVA-8001 the exchange throttled client " + client.name() + ": budget " + key
                                                + " emptied (" + draw.scope().units(taken) + " "
                                                + draw.scope().unit()
                                                + " taken) so every node waits for it to refill");
                                backedOff.accept(client.name(), key);
                            },
                            control.get());
        });
    }

    /** Requests waiting for a budget on this node. */
    public int queued(String scope) {
        ScopeQueue queue = queues.get(scope);
        return queue == null ? 0 : queue.size;
    }

    public long admitted() {
        return admitted.get();
    }

    /** Requests that waited for their budget before going. */
    public long delayed() {
        return delayed.get();
    }

    /** Requests never sent: their queue was full or their wait too long. */
    public long rejected() {
        return rejected.get();
    }

    public long backOffs() {
        return backOffs.get();
    }

    /** Requests never sent because no quorum confirmed this node at that moment. */
    public long unleased() {
        return unleased.get();
    }

    /** A request waiting for its budget. */
    private static final class Ticket {
        final Operation operation;
        final String client;
        final Draw draw;
        final long sequence;
        final long deadline;
        final CompletableFuture<Void> admission = new CompletableFuture<>();
        boolean waited;
        boolean refused;

        Ticket(Operation operation, String client, Draw draw, long sequence, long deadline) {
            this.operation = operation;
            this.client = client;
            this.draw = draw;
            this.sequence = sequence;
            this.deadline = deadline;
        }
    }

    /** The requests of one budget on this node; its state is touched only on its lane. */
    private final class ScopeQueue {
        final String key;
        final SerialExecutor lane;
        final PriorityQueue<Ticket> waiting = new PriorityQueue<>(ORDER);
        final AtomicLong sequence = new AtomicLong();
        volatile int size;
        boolean asking;
        ScheduledFuture<?> retry;
        long retryGeneration;
        long retryAt;

        ScopeQueue(String key) {
            this.key = key;
            this.lane = new SerialExecutor(control.get(), "ratelimit " + key);
        }

        CompletableFuture<Void> submit(Operation operation, String client, Draw draw) {
            RateLimitSettings settings = limiter.costs().settings();
            Ticket ticket = new Ticket(
                    operation,
                    client,
                    draw,
                    sequence.getAndIncrement(),
                    System.currentTimeMillis() + settings.maxWait().toMillis());
            lane.execute(() -> {
                if (waiting.size() >= settings.queueSize()) {
                    rejected.incrementAndGet();
                    RateLimitedException full = new RateLimitedException(
                            key, backlogMillis(), settings.queueSize() + " requests already wait for this budget");
                    LOG.warning(() -> "NOVA-8004 " + operation.id() + " of client " + ticket.client + " not sent: "
                            + full.getMessage());
                    ticket.admission.completeExceptionally(full);
                    return;
                }
                // Behind others, it waits whatever the budget holds.
                ticket.waited = !waiting.isEmpty() || retry != null;
                waiting.add(ticket);
                size = waiting.size();
                if (waiting.peek() == ticket && retry != null) {
                    // A more urgent request (a heartbeat) may fit where the waiting one did not: ask now.
                    retry.cancel(false);
                    retry = null;
                    retryGeneration++;
                }
                pump();
            });
            if (operation == Operation.HEARTBEAT) {
                timers.get()
                        .schedule(
                                () -> lane.execute(() -> {
                                    if (!ticket.refused && !ticket.admission.isDone()) {
                                        LOG.fine(() -> "heartbeat of client " + client + " goes before budget " + key
                                                + " answered");
                                        admit(ticket);
                                        waiting.remove(ticket);
                                        size = waiting.size();
                                    }
                                }),
                                HEARTBEAT_GRACE_MS,
                                TimeUnit.MILLISECONDS);
            }
            return ticket.admission;
        }

        private void admit(Ticket ticket) {
            if (!leaseHeld.getAsBoolean()) {
                // It waited for its budget while the lease ran out (a cut, or a hang that just ended): never sent.
                // Counted before the caller can see the failure (and taken back if it was completed otherwise).
                unleased.incrementAndGet();
                if (!ticket.admission.completeExceptionally(
                        new LeaseLapsedException(ticket.operation, ticket.client))) {
                    unleased.decrementAndGet();
                }
                return;
            }
            if (ticket.admission.complete(null)) {
                admitted.incrementAndGet();
                if (ticket.waited) {
                    delayed.incrementAndGet();
                }
            }
        }

        /** Asks the budget for the first waiting request, unless a question or a retry is already pending. */
        private void pump() {
            if (asking || retry != null) {
                return;
            }
            long now = System.currentTimeMillis();
            waiting.removeIf(t -> {
                if (t.admission.isDone()) {
                    return true;
                }
                if (now >= t.deadline) {
                    rejected.incrementAndGet();
                    RateLimitedException late = new RateLimitedException(
                            key,
                            backlogMillis(),
                            "waited " + limiter.costs().settings().maxWait().toMillis()
                                    + " ms (nova.ratelimit.max-wait) without budget");
                    LOG.warning(() -> "NOVA-8004 " + t.operation.id() + " of client " + t.client + " not sent: "
                            + late.getMessage());
                    t.admission.completeExceptionally(late);
                    return true;
                }
                return false;
            });
            size = waiting.size();
            Ticket head = waiting.peek();
            if (head == null) {
                return;
            }
            asking = true;
            limiter.tryAcquire(head.draw)
                    .whenComplete((decision, error) -> lane.execute(() -> {
                        asking = false;
                        if (error != null && head.operation == Operation.HEARTBEAT) {
                            waiting.remove(head);
                            LOG.warning(() -> "NOVA-8003 budget " + key + " could not be read; the heartbeat of client "
                                    + head.client + " goes anyway: " + error);
                            admit(head);
                        } else if (error != null) {
                            waiting.remove(head);
                            rejected.incrementAndGet();
                            LOG.warning(() -> "NOVA-8003 budget " + key
                                    + " could not be read; the request is not sent: " + error);
                            head.admission.completeExceptionally(error);
                        } else if (decision.allowed()) {
                            waiting.remove(head);
                            admit(head);
                        } else {
                            head.waited = true;
                            head.refused = true;
                            // Wake up when the budget may admit the request, or when a waiting request's time is up.
                            long wait = Math.max(1, Math.min(decision.retryAfterMs(), untilFirstDeadline()));
                            retryAt = System.currentTimeMillis() + wait;
                            long generation = ++retryGeneration;
                            retry = timers.get()
                                    .schedule(
                                            () -> lane.execute(() -> {
                                                if (generation == retryGeneration) {
                                                    retry = null;
                                                    pump();
                                                }
                                            }),
                                            wait,
                                            TimeUnit.MILLISECONDS);
                        }
                        size = waiting.size();
                        pump();
                    }));
        }

        private long untilFirstDeadline() {
            long first = Long.MAX_VALUE;
            for (Ticket t : waiting) {
                first = Math.min(first, t.deadline);
            }
            return first == Long.MAX_VALUE ? Long.MAX_VALUE : first - System.currentTimeMillis();
        }

        /** A guess of when the queue will have drained: what waits, at the budget's refill rate. */
        private long backlogMillis() {
            long tokens = 0;
            Scope scope = null;
            for (Ticket t : waiting) {
                tokens += t.draw.cost();
                scope = t.draw.scope();
            }
            long fromRetry = Math.max(0, retryAt - System.currentTimeMillis());
            return Math.max(1, fromRetry + (scope == null ? 0 : scope.millisToRefill(tokens)));
        }
    }
}
