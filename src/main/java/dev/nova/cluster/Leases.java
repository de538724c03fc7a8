package dev.nova.cluster;

import dev.nova.concurrency.NovaExecutors;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The cluster lease: makes sure a node cut off from the others has closed its sessions before the others take its
 * clients over, without waiting longer than the failure detector does (see {@link LeaseBook} for the rules).
 *
 * <p>The lease is {@code fd-timeout - fd-interval} (2.5 s by default), the grace of a member that joined the view
 * {@code fd-timeout}, the margin {@code fd-interval / 2 + 250 ms}: a
 * member that left the view is taken over no earlier than {@code lease + margin} (3 s) after it was last heard
 * (by this node or, as their beats report, by the others; never before it last entered this node's view), which a
 * cut member's departure from the view (more than {@code fd-timeout}, 3 s, after its last message, plus the verification of the suspicion) always comes after,
 * so a cut costs no extra time. A beat is {@code name#number|member:msAgo:itsNumber,...}: the members its sender heard
 * within the lease, how long ago, and the number of the latest beat heard from each, which the member uses to time its
 * own lease from when it sent that beat. A crash the kernel reports (the member's JGroups port refuses
 * connections: kill -9, a graceful stop) is taken over at once. Beats go every {@code min(250 ms, fd-interval / 4)}
 * on the cluster bus; the lease is checked every 100 ms.
 */
@ApplicationScoped
public class Leases {

    private static final Logger LOG = Logger.getLogger(Leases.class.getName());
    private static final long CHECK_MS = 100;
    private static final int PROBE_TIMEOUT_MS = 250;

    private final ClusterRuntime cluster;
    private final ClusterBus bus;
    private final NovaExecutors executors;
    private final Event<MemberGone> gone;
    private final Map<String, InetSocketAddress> ports = new ConcurrentHashMap<>();
    private final List<ScheduledFuture<?>> timers = new ArrayList<>();
    private volatile LeaseBook book;
    private volatile boolean held = true;

    @Inject
    public Leases(ClusterRuntime cluster, ClusterBus bus, NovaExecutors executors, Event<MemberGone> gone) {
        this.cluster = cluster;
        this.bus = bus;
        this.executors = executors;
        this.gone = gone;
    }

    protected Leases() {
        this(null, null, null, null);
    }

    @PostConstruct
    void start() {
        ClusterSettings settings = cluster.settings();
        long lease = settings.fdTimeout().toMillis() - settings.fdInterval().toMillis();
        long margin = settings.fdInterval().toMillis() / 2 + 250;
        book = new LeaseBook(
                cluster.identity().name(), lease, margin, settings.fdTimeout().toMillis());
        if (!cluster.clustered() || !bus.active()) {
            return;
        }
        long now = now();
        cluster.members().forEach(member -> book.joined(member, now));
        bus.listen(ClusterBus.Topic.LEASE, this::receive);
        long beat = ClusterSettings.leaseBeatMillis(settings.fdInterval());
        // Threads of their own: a beat or a check held up behind other timers' work is a lease that lapses late.
        timers.add(executors
                .dedicated("nova-lease-beat")
                .scheduleWithFixedDelay(this::beat, beat, beat, TimeUnit.MILLISECONDS));
        timers.add(executors
                .dedicated("nova-lease-check")
                .scheduleWithFixedDelay(this::check, CHECK_MS, CHECK_MS, TimeUnit.MILLISECONDS));
    }

    /** Starts with the application, so that beats flow before anything else asks. */
    void onStart(@Observes @Initialized(ApplicationScoped.class) Object event) {
        // Instantiating the bean is enough: @PostConstruct starts the beats.
    }

    @PreDestroy
    void stop() {
        timers.forEach(timer -> timer.cancel(false));
    }

    /** Whether a quorum of the reference membership confirms this node now. */
    public boolean held() {
        return held;
    }

    /**
     * Whether a quorum confirms this node at this moment, judged now rather than at the last periodic check: what
     * an outbound request asks before it goes, so that a node resuming from a hang sends nothing on the strength of
     * a lease that ran out while it was stopped. Always true when the node is not clustered.
     */
    public boolean confirmedNow() {
        LeaseBook current = book;
        if (current == null || !cluster.clustered() || !bus.active()) {
            return true;
        }
        return cluster.holdsQuorum(current.confirming(cluster.view().current(), now()));
    }

    /** Members gone from the view that may still be running their clients: theirs are not taken over yet. */
    public Set<String> unfenced() {
        return book == null ? Set.of() : book.unfenced(now());
    }

    /**
     * A new view: members that joined start with a lease's grace; members that left start their fence wait, and
     * their JGroups port is probed (a refused connection proves the process gone).
     */
    public void viewChanged(MembershipChanged change) {
        if (book == null || !cluster.clustered()) {
            return;
        }
        long now = now();
        change.joined().forEach(member -> book.joined(member, now));
        if (change.merge()) {
            // This node may have been hung through the split and seen no view in between: its last word from the
            // others is no measure of their silence.
            change.view().current().forEach(member -> book.inView(member, now));
        }
        for (String member : change.view().current()) {
            bus.physicalAddress(member).ifPresent(address -> ports.put(member, address));
        }
        for (String member : change.left()) {
            book.lost(member, now);
            InetSocketAddress address = ports.remove(member);
            if (address != null) {
                executors.control().execute(() -> probe(member, address));
            }
        }
    }

    private void probe(String member, InetSocketAddress address) {
        if (PortProbe.refuses(address, PROBE_TIMEOUT_MS)) {
            book.dead(member);
            LOG.info(() -> "NOVA-1012 " + member + " is gone for sure (" + address + " refuses connections): its"
                    + " clients need not wait for its lease");
            gone.fire(new MemberGone(member));
        } else {
            LOG.fine(() -> member + " did not refuse a probe of " + address + ": its clients wait for its lease");
        }
    }

    private void beat() {
        try {
            long now = now();
            StringBuilder text = new StringBuilder(cluster.identity().name())
                    .append('#')
                    .append(book.sending(now))
                    .append('|');
            book.heard(now).forEach((member, heard) -> text.append(member)
                    .append(':')
                    .append(heard.ageMs())
                    .append(':')
                    .append(heard.sequence())
                    .append(','));
            bus.broadcast(ClusterBus.Topic.LEASE, ClusterBus.utf(text.toString()));
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "lease beat not sent", e);
        }
    }

    private void receive(byte[] array, int offset, int length) throws IOException {
        String text = new DataInputStream(new ByteArrayInputStream(array, offset, length)).readUTF();
        int hash = text.indexOf('#');
        int bar = text.indexOf('|');
        if (hash <= 0 || bar <= hash) {
            return;
        }
        String from = text.substring(0, hash);
        if (!cluster.members().contains(from)) {
            return; // a member this node's view does not have: its word does not hold anyone's lease
        }
        Map<String, LeaseBook.Heard> hears = new HashMap<>();
        for (String entry : text.substring(bar + 1).split(",")) {
            String[] parts = entry.split(":");
            if (parts.length == 3) {
                hears.put(parts[0], new LeaseBook.Heard(Long.parseLong(parts[1]), Long.parseLong(parts[2])));
            }
        }
        book.beat(from, Long.parseLong(text.substring(hash + 1, bar)), hears, now());
    }

    private void check() {
        try {
            ViewHistory.Snapshot view = cluster.view();
            Set<String> confirming = book.confirming(view.current(), now());
            boolean nowHeld = cluster.holdsQuorum(confirming); // as confirmedNow(), keeping who confirmed for the log
            if (nowHeld != held) {
                held = nowHeld;
                if (!nowHeld) {
                    LOG.warning(() -> "NOVA-1013 only " + confirming + " confirmed this node within " + book.leaseMs()
                            + " ms: no quorum of " + view.stable() + ", this node pauses");
                } else {
                    LOG.info(() -> "NOVA-1014 " + confirming + " confirm this node again");
                }
                cluster.leaseChanged(nowHeld);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "NOVA-1015 the lease check failed", e);
        }
    }

    private static long now() {
        return System.nanoTime() / 1_000_000;
    }
}
