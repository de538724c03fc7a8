package dev.nova.client;

import dev.nova.NovaException;
import dev.nova.cluster.ClusterBus;
import dev.nova.connection.ClientConnection;
import dev.nova.connection.ConnectionManager;
import dev.nova.model.ClientRecord;
import dev.nova.model.ClientSpec;
import dev.nova.model.NodeIdentity;
import dev.nova.ownership.ClientLocks;
import dev.nova.ownership.ClientRegistry;
import dev.nova.platform.Credentials;
import dev.nova.platform.PlatformCatalog;
import dev.nova.platform.Secret;
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
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * Rotates a client's exchange credentials in place ({@code PUT /api/clients/{name}/credentials}): the owner
 * authenticates every live session of the client again with the new key, and only once the exchange accepted it
 * on all of them is the key written to the client's record (sealed), for failovers and restarts. A refused key leaves
 * the old one in use, in the sessions and in the record. Any node can be asked: it carries the request to the owner
 * over the cluster bus.
 */
@ApplicationScoped
public class CredentialRotation {

    private static final Logger LOG = Logger.getLogger(CredentialRotation.class.getName());
    /** The owner's wait for the exchange's answers on every session. */
    private static final Duration OWNER_TIMEOUT = Duration.ofSeconds(12);
    /** The asking node's wait for the owner: its own wait and the record write. */
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(15);

    private static final byte ACCEPTED = 0;
    private static final byte REFUSED = 1;
    private static final byte UNAVAILABLE = 2;

    private final ClientService service;
    private final ClientRegistry clients;
    private final ClientLocks locks;
    private final ConnectionManager connections;
    private final PlatformCatalog platforms;
    private final ClusterBus bus;
    private final NodeIdentity self;

    @Inject
    public CredentialRotation(
            ClientService service,
            ClientRegistry clients,
            ClientLocks locks,
            ConnectionManager connections,
            PlatformCatalog platforms,
            ClusterBus bus,
            NodeIdentity self) {
        this.service = service;
        this.clients = clients;
        this.locks = locks;
        this.connections = connections;
        this.platforms = platforms;
        this.bus = bus;
        this.self = self;
    }

    protected CredentialRotation() {
        this(null, null, null, null, null, null, null);
    }

    @PostConstruct
    void start() {
        bus.handle(ClusterBus.Operation.ROTATE_CREDENTIALS, arguments -> {
            String name = arguments.readUTF();
            Credentials fresh = new Credentials(arguments.readUTF(), new Secret(arguments.readUTF()));
            return answer(local(name, fresh));
        });
    }

    /** Starts with the application: other nodes may ask this one before anything here uses this bean. */
    void onStart(@Observes @Initialized(ApplicationScoped.class) Object event) {
        // Instantiating the bean is enough: @PostConstruct registers it on the cluster bus.
    }

    /**
     * Puts new credentials into use for a client: 404 for an unknown client, 400 for incomplete ones (or ones that
     * would travel in clear), 409 when the exchange refuses them (its message) or takes none, 503 when the owner
     * does not answer.
     */
    public ClientRecord rotate(String name, String clientId, String clientSecret) {
        ClientRecord record = service.get(name);
        ClientSpec spec = record.spec();
        if (!platforms.adapter(spec.platform()).sendsCredentials()) {
            throw NovaException.conflict(
                    spec.platform().id() + " market streams take no credentials: nothing to rotate on " + name);
        }
        Credentials fresh = service.validator()
                .spec(
                        spec.name(),
                        spec.platform().id(),
                        spec.url(),
                        spec.regionAware(),
                        spec.preferredRegion(),
                        spec.clusterEnabled(),
                        clientId,
                        clientSecret)
                .credentials();
        if (fresh == null) {
            throw NovaException.invalid("clientId and clientSecret are required");
        }
        String owner = record.owner();
        // The owner's connection holds the key in memory, even a stopped one: it is asked whenever it is a member.
        // A client nobody runs (no owner, or an owner gone and not yet replaced) takes it from the record.
        boolean elsewhere =
                owner != null && !owner.equals(self.name()) && bus.members().contains(owner);
        Outcome outcome = elsewhere ? remote(owner, name, fresh) : local(name, fresh);
        switch (outcome.code()) {
            case REFUSED -> throw NovaException.conflict(outcome.detail());
            case UNAVAILABLE -> throw NovaException.unavailable(outcome.detail());
            default -> {
                // accepted
            }
        }
        return service.get(name);
    }

    /** What the owner did: accepted (and recorded), refused, or could not tell. */
    private record Outcome(byte code, String detail) {}

    /**
     * On the owner (or for a client nobody runs): the running connection authenticates again, then the record takes
     * the key. A client without a connection here takes it from the record at its next start. A client that moved to
     * another member meanwhile is not changed here: the asker is told to ask again.
     */
    private Outcome local(String name, Credentials fresh) {
        Optional<ClientRecord> record = clients.find(name);
        if (record.isEmpty()) {
            return new Outcome(UNAVAILABLE, "client " + name + " was deleted meanwhile");
        }
        String owner = record.get().owner();
        if (owner != null && !owner.equals(self.name()) && bus.members().contains(owner)) {
            return new Outcome(UNAVAILABLE, "client " + name + " moved to " + owner + " meanwhile; ask again");
        }
        Optional<ClientConnection> running = connections.find(name);
        if (running.isPresent()) {
            try {
                running.get().rotateCredentials(fresh).get(OWNER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException | CompletionException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                LOG.warning(() -> "NOVA-3041 client " + name + ": new credentials not used: " + cause.getMessage());
                boolean refused =
                        cause instanceof NovaException refusal && refusal.kind() == NovaException.Kind.CONFLICT;
                return new Outcome(refused ? REFUSED : UNAVAILABLE, cause.getMessage());
            } catch (TimeoutException e) {
                return new Outcome(
                        UNAVAILABLE,
                        "the exchange did not answer the new credentials of client " + name + " within "
                                + OWNER_TIMEOUT.toSeconds() + " s; " + UNKNOWN);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Outcome(UNAVAILABLE, "interrupted; " + UNKNOWN);
            }
        }
        locks.run(name, () -> clients.update(name, r -> r.withSpec(r.spec().withCredentials(fresh))));
        LOG.info(() -> "NOVA-3042 client " + name + " uses client id " + fresh.clientId()
                + (running.isPresent() ? " (its live sessions authenticated again)" : " from its next connect"));
        return new Outcome(ACCEPTED, "");
    }

    /** How an operator finds out what a rotation that timed out did. */
    private static final String UNKNOWN =
            "GET the client: its credentials.clientId says whether the new ones were taken";

    private Outcome remote(String owner, String name, Credentials fresh) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(name);
            out.writeUTF(fresh.clientId());
            out.writeUTF(fresh.clientSecret().value());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            byte[] answer = bus.call(owner, ClusterBus.Operation.ROTATE_CREDENTIALS, bytes.toByteArray(), ASK_TIMEOUT)
                    .get(ASK_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(answer));
            return new Outcome(in.readByte(), in.readUTF());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(UNAVAILABLE, "interrupted; " + UNKNOWN);
        } catch (ExecutionException | TimeoutException | IOException e) {
            return new Outcome(
                    UNAVAILABLE,
                    "the owner of client " + name + ", " + owner + ", did not answer (" + e.getMessage() + "); "
                            + UNKNOWN);
        }
    }

    private static byte[] answer(Outcome outcome) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(outcome.code());
            out.writeUTF(outcome.detail());
        }
        return bytes.toByteArray();
    }
}
