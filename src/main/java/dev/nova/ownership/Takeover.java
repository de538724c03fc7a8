package dev.nova.ownership;

import dev.nova.NovaException;
import dev.nova.model.ClientRecord;
import dev.nova.model.ClientState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * The seed's {@code takeover_subscriptions}: moves the client(s) a node owns to the node that received the request,
 * by {@link MovePolicy}, at a new epoch that fences the old owner off.
 */
@ApplicationScoped
public class Takeover {

    private static final Duration SETTLE = Duration.ofSeconds(5);
    private static final Logger LOG = Logger.getLogger(Takeover.class.getName());

    private final ClientRegistry clients;
    private final Ownership ownership;
    private final ClientLocks locks;
    private final Reconciler reconciler;

    @Inject
    public Takeover(ClientRegistry clients, Ownership ownership, ClientLocks locks, Reconciler reconciler) {
        this.clients = clients;
        this.ownership = ownership;
        this.locks = locks;
        this.reconciler = reconciler;
    }

    protected Takeover() {
        this(null, null, null, null);
    }

    /**
     * Takes over {@code client} (or, when null, every client {@code source} owns) and waits briefly for each to
     * connect here: the records as they then are.
     */
    public List<ClientRecord> takeOver(String client, String source) {
        Members members = ownership.members();
        List<ClientRecord> candidates = MovePolicy.takeover(client, source, clients.list(), members);
        List<String> moved = new ArrayList<>();
        for (ClientRecord record : candidates) {
            locks.run(record.name(), () -> {
                long now = System.currentTimeMillis();
                boolean taken = clients.update(record.name(), r -> MovePolicy.takenOver(r, source, members, now))
                        .filter(members::mine)
                        .isPresent();
                if (taken) {
                    moved.add(record.name());
                    reconciler.reconcile(record.name());
                }
            });
        }
        LOG.info(() -> "NOVA-7001 took over " + moved + " from " + source);
        return moved.stream()
                .map(name -> clients.await(name, r -> r.state() == ClientState.CONNECTED || !members.mine(r), SETTLE)
                        .orElseThrow(() -> NovaException.notFound("client '" + name + "' does not exist")))
                .toList();
    }
}
