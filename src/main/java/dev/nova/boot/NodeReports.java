package dev.nova.boot;

import dev.nova.client.ClientService;
import dev.nova.cluster.ClusterBus;
import dev.nova.cluster.ClusterRuntime;
import dev.nova.connection.ClientConnection;
import dev.nova.connection.ConnectionManager;
import dev.nova.ownership.ClusterStatus;
import dev.nova.ownership.Drain;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Logger;

/**
 * What each member says of itself: its status as it would answer {@code GET /api/cluster} (starting, ready,
 * degraded, paused; draining or drained while it is drained, {@link Drain}), whether its side holds quorum, and the exchange sessions it holds open. Asked over the
 * cluster bus, one question per member in parallel, when an operator looks (never a replicated write).
 */
@ApplicationScoped
public class NodeReports {

    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private static final Logger LOG = Logger.getLogger(NodeReports.class.getName());

    /** One member's own account; {@code answered} is false when it did not answer in time. */
    public record Report(String status, boolean quorum, int sessions, int connections, boolean answered) {

        /** A member that did not answer in time. */
        public static Report silent() {
            return new Report("unknown", false, 0, 0, false);
        }

        /** A member in the view that has not written its node record yet: it is still starting. */
        static Report starting() {
            return new Report(ClusterStatus.STARTING, false, 0, 0, false);
        }
    }

    private final ClusterRuntime cluster;
    private final ClusterBus bus;
    private final ClientService clients;
    private final ConnectionManager connections;
    private final DeclaredClients declared;
    private final Drain drain;

    @Inject
    public NodeReports(
            ClusterRuntime cluster,
            ClusterBus bus,
            ClientService clients,
            ConnectionManager connections,
            DeclaredClients declared,
            Drain drain) {
        this.drain = drain;
        this.cluster = cluster;
        this.bus = bus;
        this.clients = clients;
        this.connections = connections;
        this.declared = declared;
    }

    protected NodeReports() {
        this(null, null, null, null, null, null);
    }

    @PostConstruct
    void start() {
        bus.handle(ClusterBus.Operation.NODE_REPORT, arguments -> encode(local()));
    }

    /** Starts with the application: other members may ask this one before anything here uses the bean. */
    void onStart(@Observes @Initialized(ApplicationScoped.class) Object event) {
        // Instantiating the bean is enough: @PostConstruct registers the answer on the cluster bus.
    }

    /** This node's own report. */
    public Report local() {
        int sessions = 0;
        int running = 0;
        for (ClientConnection connection : connections.all()) {
            sessions += connection.stats().sessions();
            running++;
        }
        String drained = drain.status();
        return new Report(
                drained.equals(Drain.ACTIVE) ? ClusterStatus.status(declared.done(), cluster, clients.list()) : drained,
                cluster.view().quorum(),
                sessions,
                running,
                true);
    }

    /** Every member's report, by name, in view order; a member that did not answer in time is {@code unknown}. */
    public Map<String, Report> all() {
        String self = cluster.identity().name();
        Map<String, CompletableFuture<Report>> asked = new LinkedHashMap<>();
        for (String member : cluster.members()) {
            if (member.equals(self)) {
                asked.put(member, CompletableFuture.completedFuture(local()));
            } else if (!cluster.nodes().containsKey(member)) {
                // A member without its node record is still starting: it cannot answer yet.
                asked.put(member, CompletableFuture.completedFuture(Report.starting()));
            } else {
                asked.put(member, ask(member));
            }
        }
        Map<String, Report> reports = new LinkedHashMap<>();
        asked.forEach((member, answer) -> reports.put(member, answer.join()));
        return reports;
    }

    private CompletableFuture<Report> ask(String member) {
        return bus.call(member, ClusterBus.Operation.NODE_REPORT, new byte[0], TIMEOUT)
                .thenApply(NodeReports::decode)
                .exceptionally(error -> {
                    LOG.fine(() -> "node " + member + " did not report: " + error);
                    return Report.silent();
                });
    }

    static byte[] encode(Report report) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(report.status());
            out.writeBoolean(report.quorum());
            out.writeInt(report.sessions());
            out.writeInt(report.connections());
        }
        return bytes.toByteArray();
    }

    static Report decode(byte[] answer) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(answer))) {
            return new Report(in.readUTF(), in.readBoolean(), in.readInt(), in.readInt(), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
