package dev.nova.stream;

import dev.nova.cluster.ClusterBus;
import dev.nova.cluster.MembershipChanged;
import dev.nova.cluster.RecordsSettled;
import dev.nova.concurrency.NovaExecutors;
import dev.nova.model.NodeIdentity;
import dev.nova.platform.SequenceTracker;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;

/**
 * Fans market data out to this node's consumers and to the other nodes that have consumers of its channel.
 * {@link #publish} runs on the thread handling a session's frames: it looks up the consumers of the channel, frames the
 * message as SSE bytes once if any of them wants it, and enqueues those bytes on each consumer's lane; the
 * {@link Forwarder} enqueues it for interested nodes; a CDI event is fired from a lane of its own, and only when the
 * application observes {@link MarketMessage} at all. What other nodes forward arrives on the cluster bus and goes to
 * this node's consumers only.
 */
@ApplicationScoped
public class StreamHub implements MessageSink {

    private static final Logger LOG = Logger.getLogger(StreamHub.class.getName());

    /**
     * One market-data consumer and the client it wants, or null for any; {@code resumption} when it reconnected with
     * {@code Last-Event-ID} (null otherwise).
     */
    private record Subscriber(SseConsumer consumer, String client, Resumption resumption) {}

    private final StreamSettings settings;
    private final NovaExecutors executors;
    private final Event<MarketMessage> events;
    private final BeanManager beans;
    private final ConcurrentHashMap<String, CopyOnWriteArrayList<Subscriber>> byChannel = new ConcurrentHashMap<>();
    /** Consumers of {@code /api/events} and the event types each wants (empty: all). */
    private final ConcurrentHashMap<SseConsumer, Set<String>> eventConsumers = new ConcurrentHashMap<>();

    private final ClusterBus bus;
    private final Interests interests;
    private final NodeIdentity self;
    private final ConcurrentHashMap<Long, SseConsumer> consumers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> endedByReason = new ConcurrentHashMap<>();
    /** When the last consumer of a channel left this node (System.nanoTime), for the replay retention. */
    private final ConcurrentHashMap<String, Long> lastLeft = new ConcurrentHashMap<>();
    /** The sequences delivered to this node's consumers, per client and channel. */
    private final ConcurrentHashMap<String, SequenceTracker> delivered = new ConcurrentHashMap<>();

    private final AtomicLong ids = new AtomicLong();
    private final LongAdder eventsDropped = new LongAdder();
    private final LongAdder received = new LongAdder();
    private final SseConsumer.Counters written = new SseConsumer.Counters();
    private volatile DeliveryLane<MarketMessage> cdiLane;
    /** Null when this node is not clustered. */
    private Forwarder forwarder;
    /** Nodes interested in each channel (null when not clustered): a channel someone wants is kept for replay. */
    private Map<String, Set<String>> interested;

    private ReplayBuffers replay;
    private Replays replays;

    private ScheduledFuture<?> keepAlive;

    @Inject
    public StreamHub(
            StreamSettings settings,
            NovaExecutors executors,
            Event<MarketMessage> events,
            BeanManager beans,
            ClusterBus bus,
            Interests interests,
            NodeIdentity self) {
        this.settings = settings;
        this.executors = executors;
        this.events = events;
        this.beans = beans;
        this.bus = bus;
        this.interests = interests;
        this.self = self;
    }

    protected StreamHub() {
        this.settings = null;
        this.executors = null;
        this.events = null;
        this.beans = null;
        this.bus = null;
        this.interests = null;
        this.self = null;
    }

    @PostConstruct
    void start() {
        replay = new ReplayBuffers(settings.replaySize());
        replays = new Replays(replay, bus, self.name(), executors.control());
        if (bus.active()) {
            interested = interests.index();
            replays.serve();
            forwarder = new Forwarder(
                    self.name(), interests.index(), bus.sender(ClusterBus.Topic.MARKET_DATA), executors.delivery());
            bus.listen(ClusterBus.Topic.MARKET_DATA, (array, offset, length) -> {
                deliverRemote(Forwarder.decode(array, offset, length));
                received.increment();
            });
        }
        MarketMessage probe = new MarketMessage("", "", MarketMessage.NO_SEQUENCE, 0, false, "{}");
        if (!beans.resolveObserverMethods(probe).isEmpty()) {
            cdiLane = new DeliveryLane<>(settings.bufferSize(), executors.delivery()) {
                @Override
                protected CompletionStage<?> deliver(List<MarketMessage> batch) {
                    for (MarketMessage message : batch) {
                        events.fire(message);
                    }
                    return null;
                }

                @Override
                protected void overflowed() {
                    eventsDropped.increment();
                }

                @Override
                protected void failed(Throwable error) {
                    LOG.warning(() -> "NOVA-4002 a MarketMessage observer failed: " + error);
                }
            };
        }
        // Often enough that an idle stream hears from Nova within keep-alive + 1 s, not twice the interval, and a
        // blocked write is noticed within send-timeout + 1 s.
        long every = Math.max(50, Math.min(1000, settings.keepAlive().toMillis() / 4));
        keepAlive = executors.timers().scheduleWithFixedDelay(this::keepAlive, every, every, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        if (keepAlive != null) {
            keepAlive.cancel(false);
        }
        consumers.values().forEach(c -> c.end("shutdown", null));
        if (cdiLane != null) {
            cdiLane.close();
        }
        if (forwarder != null) {
            forwarder.close();
        }
    }

    /**
     * {@link #publish} bound to this instance. Weld's client proxy hands back the proxy when a method returns
     * {@code this}, so the bound method is what lets the frame-handling thread skip the proxy. An interceptor or decorator
     * bound to {@code publish} would not see these calls.
     */
    @Override
    public MessageSink target() {
        return this::publish;
    }

    /** A message of a client this node runs: CDI observers, local SSE consumers and interested nodes. */
    @Override
    public void publish(MarketMessage message) {
        DeliveryLane<MarketMessage> lane = cdiLane;
        if (lane != null) {
            lane.offer(message);
        }
        Forwarder forward = forwarder;
        if (forward != null) {
            forward.forward(message);
        }
        deliverRemote(message);
    }

    /**
     * A message from another node's client, or the local part of {@link #publish}: SSE consumers only. Sequences are
     * followed here too, per client and channel, so consumers on this node never get a duplicate and learn of a gap
     * even when the client moved between nodes (a failover) in between.
     */
    void deliverRemote(MarketMessage incoming) {
        List<Subscriber> subscribers = byChannel.get(incoming.channel());
        ReplayBuffers.Channel kept = replay.get(incoming.channel());
        if (kept == null && incoming.sequenced() && (subscribers != null || wanted(incoming.channel()))) {
            kept = replay.open(incoming.channel());
        }
        if (subscribers == null && kept == null) {
            return;
        }
        MarketMessage message = incoming;
        if (message.sequenced()) {
            SequenceTracker.Continuity continuity = delivered
                    .computeIfAbsent(message.client(), c -> new SequenceTracker())
                    .track(message.channel(), message.previous(), message.sequence(), false);
            if (continuity == SequenceTracker.Continuity.DUPLICATE) {
                return;
            }
            if (continuity == SequenceTracker.Continuity.GAP && !message.gap()) {
                message = message.withGap();
            }
            if (kept != null) {
                kept.add(message);
                // Read again after the add: a consumer that registered meanwhile either is in the list now, or
                // registered after the add and finds the message in the buffer when it resumes.
                subscribers = byChannel.get(message.channel());
            }
        }
        if (subscribers == null) {
            return;
        }
        SseConsumer.Item item = null;
        for (Subscriber subscriber : subscribers) {
            if (subscriber.client() == null || subscriber.client().equals(message.client())) {
                if (item == null) {
                    item = new SseConsumer.Item(SseFrames.message(message), true);
                }
                Resumption resumption = subscriber.resumption();
                SseConsumer.Item out = resumption == null ? item : resumption.admit(message, item);
                if (out != null) {
                    subscriber.consumer().offer(out);
                }
            }
        }
    }

    /** Whether the last consumer of the channel here left less than the retention time ago. */
    private boolean retained(String channel) {
        Long left = lastLeft.get(channel);
        long retention = settings.replayRetention().toNanos();
        // A millisecond's slack: the timer of the consumer that left last runs at its retention, not just before.
        return left != null && System.nanoTime() - left < retention - 1_000_000;
    }

    /** Whether another member has consumers of the channel, so the owner here keeps it for their replays. */
    private boolean wanted(String channel) {
        Map<String, Set<String>> index = interested;
        return index != null && index.containsKey(channel);
    }

    /** Starts streaming to an SSE sink; the stream ends when the consumer goes away or falls behind. */
    public void open(StreamFilter filter, EventSink sink) {
        open(filter, sink, null);
    }

    /**
     * Starts streaming to an SSE sink, first with what the consumer missed after {@code lastEventId} (the
     * {@code Last-Event-ID} it reconnected with; null for none) as far as any member kept it, then live, with no
     * duplicate; a message that does not follow what the consumer had is marked {@code gap: true}.
     */
    public void open(StreamFilter filter, EventSink sink, Long lastEventId) {
        long id = ids.incrementAndGet();
        SseConsumer consumer = new SseConsumer(
                id, sink, settings, executors.delivery(), written, (c, reason) -> ended(c, filter, reason));
        consumers.put(id, consumer);
        // Half the buffer: what was missed goes into the same buffer ahead of what is held.
        Resumption resumption = lastEventId == null
                ? null
                : new Resumption(lastEventId, filter.channels(), consumer, Math.max(1, settings.bufferSize() / 2));
        Subscriber subscriber = new Subscriber(consumer, filter.client(), resumption);
        List<CompletableFuture<Void>> stated = new ArrayList<>();
        for (String channel : filter.channels()) {
            replay.open(channel);
            // compute() keeps adding and the removal of an emptied list atomic.
            byChannel.compute(channel, (c, list) -> {
                if (list == null && resumption == null) {
                    // The first consumer here: the sequences this node followed before (as a past owner, or while
                    // it kept the channel for others) say nothing about what this consumer missed.
                    delivered.values().forEach(tracker -> tracker.forget(channel));
                }
                CopyOnWriteArrayList<Subscriber> subscribers = list == null ? new CopyOnWriteArrayList<>() : list;
                subscribers.add(subscriber);
                return subscribers;
            });
            stated.add(interests.update(channel, () -> byChannel.containsKey(channel)));
        }
        consumer.offer(SseConsumer.Item.KEEP_ALIVE);
        if (resumption != null) {
            // The others are asked once they know of this node's interest: from then on the owner forwards what
            // follows what it answers, and nothing falls between its answer and its forwarding.
            CompletableFuture.allOf(stated.toArray(CompletableFuture[]::new))
                    .whenComplete((v, error) -> replays.resume(filter, resumption));
        }
    }

    /** A new view: the interest of members that left is removed (by the coordinator). */
    public void viewChanged(MembershipChanged change) {
        interests.forgetIfCoordinator(change.left());
    }

    /**
     * The records have settled after a merge: this node states its interests again, since the other side may have
     * removed them while the sides were apart.
     */
    public void recordsSettled(RecordsSettled settled) {
        interests.restate(Set.copyOf(byChannel.keySet()), byChannel::containsKey);
    }

    /** Starts streaming cluster events of the given types (all when empty) to an SSE sink. */
    public void openEvents(Set<String> types, EventSink sink) {
        long id = ids.incrementAndGet();
        SseConsumer consumer = new SseConsumer(id, sink, settings, executors.delivery(), written, (c, reason) -> {
            eventConsumers.remove(c);
            consumers.remove(c.id());
            endedByReason.computeIfAbsent(reason, r -> new LongAdder()).increment();
        });
        consumers.put(id, consumer);
        eventConsumers.put(consumer, Set.copyOf(types));
        consumer.offer(SseConsumer.Item.KEEP_ALIVE);
    }

    /** Sends an event (already JSON) to every events stream on this node that wants its type. */
    public void publishEvent(String type, String json) {
        SseConsumer.Item item = SseConsumer.Item.event(type, null, json);
        eventConsumers.forEach((consumer, types) -> {
            if (types.isEmpty() || types.contains(type)) {
                consumer.offer(item);
            }
        });
    }

    private void ended(SseConsumer consumer, StreamFilter filter, String reason) {
        consumers.remove(consumer.id());
        for (String channel : filter.channels()) {
            CopyOnWriteArrayList<Subscriber> left = byChannel.computeIfPresent(channel, (c, list) -> {
                list.removeIf(s -> s.consumer() == consumer);
                return list.isEmpty() ? null : list;
            });
            if (left == null) {
                long retention = settings.replayRetention().toMillis();
                if (replay.enabled() && retention > 0) {
                    // The channel keeps coming for a while, so that the consumer can come back and miss nothing;
                    // the last consumer to leave decides how long (an earlier one's timer keeps the interest).
                    lastLeft.put(channel, System.nanoTime());
                    executors
                            .timers()
                            .schedule(
                                    () -> interests.update(
                                            channel, () -> byChannel.containsKey(channel) || retained(channel)),
                                    retention,
                                    TimeUnit.MILLISECONDS);
                } else {
                    interests.update(channel, () -> byChannel.containsKey(channel));
                    // Nobody here follows the channel any more: a later consumer starts afresh.
                    delivered.values().forEach(tracker -> tracker.forget(channel));
                }
            }
        }
        endedByReason.computeIfAbsent(reason, r -> new LongAdder()).increment();
        if (!"disconnected".equals(reason) && !"shutdown".equals(reason)) {
            LOG.warning(() -> "NOVA-4001 stream consumer " + consumer.id() + " dropped: " + reason);
        }
    }

    /**
     * The periodic sweep: ends streams whose write is blocked past the send timeout, restarts those whose drain the
     * executor refused (the node's delivery pool queues every drain; a bounded executor may not), keeps idle ones alive.
     */
    private void keepAlive() {
        List<String> dropped =
                replay.sweep(byChannel::containsKey, settings.replayRetention().toMillis());
        for (String channel : dropped) {
            if (!byChannel.containsKey(channel)) {
                // Nobody here follows the channel any more: a later consumer starts afresh.
                delivered.values().forEach(tracker -> tracker.forget(channel));
                lastLeft.remove(channel);
            }
        }
        long now = System.currentTimeMillis();
        long idleSince = now - settings.keepAlive().toMillis();
        for (SseConsumer consumer : consumers.values()) {
            consumer.expireBlockedWrite(now);
            consumer.retry();
            if (consumer.lastWriteAt() <= idleSince && consumer.backlog() == 0) {
                consumer.offer(SseConsumer.Item.KEEP_ALIVE);
            }
        }
    }

    /** Open streams on this node. */
    public int consumerCount() {
        return consumers.size();
    }

    /** Ended streams by reason ({@code disconnected}, {@code buffer-full}, {@code send-timeout}, {@code lagging}, …). */
    public Map<String, Long> endedByReason() {
        Map<String, Long> counts = new TreeMap<>();
        endedByReason.forEach((reason, count) -> counts.put(reason, count.sum()));
        return counts;
    }

    /** Writes to this node's SSE streams; with {@link #eventsWritten} it tells how well writes batch. */
    public long streamWrites() {
        return written.writes().sum();
    }

    /** Events (messages and cluster events) written to this node's SSE streams. */
    public long eventsWritten() {
        return written.events().sum();
    }

    /** Messages sent to other nodes (one per message and node). */
    public long forwardedCount() {
        return forwarder == null ? 0 : forwarder.sentCount();
    }

    /** Messages not sent to other nodes because the sender lane was full or a send failed. */
    public long forwardDroppedCount() {
        return forwarder == null ? 0 : forwarder.droppedCount();
    }

    /** Messages other nodes forwarded to this one. */
    public long receivedCount() {
        return received.sum();
    }

    /** Messages not fired as CDI events because the observers fell behind. */
    public long eventsDropped() {
        return eventsDropped.sum();
    }
}
