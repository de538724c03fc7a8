package dev.nova.client;

import dev.nova.NovaException;
import dev.nova.cluster.ClusterSettings;
import dev.nova.cluster.Transactions;
import dev.nova.connection.ExchangeTls;
import dev.nova.model.ClientRecord;
import dev.nova.model.ClientSpec;
import dev.nova.model.ClientState;
import dev.nova.model.Subscription;
import dev.nova.ownership.ClientLocks;
import dev.nova.ownership.ClientRegistry;
import dev.nova.ownership.Members;
import dev.nova.ownership.Ownership;
import dev.nova.ownership.Reconciler;
import dev.nova.platform.PlatformCatalog;
import dev.nova.platform.SecretBox;
import dev.nova.subscription.SubscriptionRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.logging.Logger;

/**
 * The one entry point for changing clients and their subscriptions, from the REST API or from configuration.
 * Every request is validated in full before anything changes. Changes are written to the replicated registries as
 * intent (a client and its owner, its subscriptions, a stop, a restart); the node that owns the client carries them
 * out ({@code ownership.Reconciler}), so any node can serve any request. Work on one client is serialised on this
 * node with the reconciler's.
 */
@ApplicationScoped
public class ClientService {

    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(5);
    private static final Logger LOG = Logger.getLogger(ClientService.class.getName());

    private final ClientRegistry clients;
    private final SubscriptionRegistry subscriptions;
    private final Ownership ownership;
    private final Reconciler reconciler;
    private final ClientLocks locks;
    private final ClientValidator validator;
    private final SecretBox secrets;
    private final boolean distributedSubscriptions;

    @Inject
    public ClientService(
            ClientRegistry clients,
            SubscriptionRegistry subscriptions,
            Ownership ownership,
            Reconciler reconciler,
            ClientLocks locks,
            PlatformCatalog platforms,
            ClusterSettings cluster,
            ExchangeTls tls,
            SecretBox secrets) {
        this.clients = clients;
        this.subscriptions = subscriptions;
        this.ownership = ownership;
        this.reconciler = reconciler;
        this.locks = locks;
        this.validator = platforms == null
                ? null
                : new ClientValidator(platforms, tls != null && tls.allowInsecureCredentials(), secrets);
        this.secrets = secrets == null ? SecretBox.none() : secrets;
        this.distributedSubscriptions = cluster == null || !cluster.enabled() || cluster.distributedSubscriptions();
    }

    protected ClientService() {
        this(null, null, null, null, null, null, null, null, null);
    }

    /** Validation of declarations and channel lists, shared with the REST layer. */
    public ClientValidator validator() {
        return validator;
    }

    /** What {@link #create} did: created the client, or found the very same one (a retried request). */
    public record Creation(ClientRecord record, boolean created) {}

    /**
     * Creates a client, placed by region on a live node (this one when clustering is off or the client is pinned),
     * and subscribes its initial channels (persistent). The answer names the owner. A retry of a create that
     * succeeded (the same settings, channels it already holds persistently) finds the existing client.
     *
     * @throws NovaException CONFLICT when the name is taken by a client with other settings or channels
     */
    public Creation create(ClientSpec spec, List<String> channels) {
        return create(spec, channels, channel -> SubscriptionRegistry.newId());
    }

    private Creation create(ClientSpec spec, List<String> channels, UnaryOperator<String> ids) {
        List<String> initial = channels.isEmpty() ? List.of() : validator.checkChannels(spec, channels);
        return locks.call(spec.name(), () -> {
            Optional<ClientRecord> existing = clients.find(spec.name());
            if (existing.isPresent()) {
                return new Creation(sameOrConflict(existing.get(), spec, initial), false);
            }
            long now = System.currentTimeMillis();
            Members members = ownership.members();
            String owner = members.place(ownership.placement(), spec, clients.list(), Set.of())
                    .orElse(members.self().name());
            long incarnation =
                    members.incarnationOf(owner).orElse(members.self().incarnation());
            ClientRecord record = ClientRecord.created(spec, owner, incarnation, now);
            // The client and its initial subscriptions are one transaction: a failure between the two leaves neither.
            Optional<ClientRecord> raced = Transactions.atomically(() -> {
                Optional<ClientRecord> taken = clients.createIfAbsent(record);
                if (taken.isEmpty()) {
                    subscriptions.addAll(initial.stream()
                            .map(channel -> new Subscription(
                                    ids.apply(channel),
                                    spec.name(),
                                    channel,
                                    true,
                                    now,
                                    spec.platform().id()))
                            .toList());
                }
                return taken;
            });
            if (raced.isPresent()) {
                return new Creation(sameOrConflict(raced.get(), spec, initial), false);
            }
            LOG.info(() ->
                    "NOVA-3001 client " + spec.name() + " (" + spec.platform().id() + ") created, owned by " + owner);
            reconciler.reconcile(spec.name());
            return new Creation(record, true);
        });
    }

    /** The existing client when a create asks for exactly it (a retry), else the conflict. */
    private ClientRecord sameOrConflict(ClientRecord existing, ClientSpec spec, List<String> channels) {
        if (!sameSpec(existing.spec(), spec)) {
            throw NovaException.conflict(
                    "client '" + spec.name() + "' already exists with other settings (platform, url, regions, "
                            + "credentials): delete it first, or use another name");
        }
        Set<String> held = subscriptions.byClient(spec.name()).stream()
                .filter(Subscription::persistent)
                .map(Subscription::channel)
                .collect(java.util.stream.Collectors.toSet());
        List<String> missing = channels.stream().filter(c -> !held.contains(c)).toList();
        if (!missing.isEmpty()) {
            throw NovaException.conflict("client '" + spec.name() + "' already exists without the channels " + missing
                    + ": subscribe them with POST /api/clients/" + spec.name() + "/subscriptions");
        }
        return existing;
    }

    /**
     * How the clients' exchange secrets stand with this node's keys: sealed with the current cluster secret, with
     * the previous one (a rotation not finished: the consistency pass seals them again), or unreadable here.
     */
    public Map<String, Object> credentialSeals() {
        Map<SecretBox.Seal, Integer> counts = new EnumMap<>(SecretBox.Seal.class);
        for (ClientRecord record : clients.list()) {
            if (record.spec().credentials() != null) {
                counts.merge(secrets.state(record.spec().credentials()), 1, Integer::sum);
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sealing", secrets.canSeal());
        out.put("sealingKey", secrets.currentKeyId());
        out.put("sealedWithCurrentSecret", counts.getOrDefault(SecretBox.Seal.CURRENT, 0));
        out.put("sealedWithPreviousSecret", counts.getOrDefault(SecretBox.Seal.PREVIOUS, 0));
        out.put("unreadable", counts.getOrDefault(SecretBox.Seal.UNREADABLE, 0));
        return out;
    }

    /** Equal specs, with secrets compared opened: each sealing of the same secret reads differently. */
    private boolean sameSpec(ClientSpec a, ClientSpec b) {
        return a.withCredentials(null).equals(b.withCredentials(null))
                && secrets.same(a.credentials(), b.credentials());
    }

    /**
     * Creates a client declared in configuration unless the cluster already has one by that name; a differing
     * declaration is reported and ignored (the first one created wins).
     */
    public void createDeclared(ClientSpec spec, List<String> channels) {
        Optional<ClientRecord> existing = clients.find(spec.name());
        if (existing.isPresent()) {
            if (!sameSpec(existing.get().spec(), spec)) {
                LOG.warning(() -> "NOVA-3002 client " + spec.name() + " is declared differently on this node than"
                        + " the one that created it; keeping the existing declaration");
            }
            return;
        }
        try {
            create(spec, channels, channel -> SubscriptionRegistry.declaredId(spec.name(), channel));
        } catch (NovaException e) {
            if (e.kind() != NovaException.Kind.CONFLICT) {
                throw e;
            }
        }
    }

    public ClientRecord get(String name) {
        return clients.find(name).orElseThrow(() -> unknown(name));
    }

    public Optional<ClientRecord> find(String name) {
        return clients.find(name);
    }

    public List<ClientRecord> list() {
        return clients.list();
    }

    /** Removes a client and its subscriptions, in one transaction; its owner closes its sessions. */
    public void delete(String name) {
        locks.run(name, () -> {
            get(name);
            Transactions.atomically(() -> {
                subscriptions.removeClient(name);
                clients.remove(name);
            });
            reconciler.reconcile(name);
            LOG.info(() -> "NOVA-3004 client " + name + " deleted");
        });
    }

    /** Closes a client's sessions on purpose; it stays {@code STOPPED} until restarted. */
    public ClientRecord stop(String name) {
        locks.run(name, () -> {
            if (get(name).stopped()) {
                throw NovaException.conflict("client '" + name + "' is already stopped");
            }
            clients.update(name, ClientRecord::stop);
            reconciler.reconcile(name);
        });
        return settle(name, r -> r.state() == ClientState.STOPPED || r.owner() == null);
    }

    /** Brings a FAILED or STOPPED client back, on a new owner when its old one is gone. */
    public ClientRecord restart(String name) {
        locks.run(name, () -> {
            ClientRecord record = get(name);
            if (record.state() != ClientState.FAILED && record.state() != ClientState.STOPPED && !record.stopped()) {
                throw NovaException.conflict("client '" + name + "' is " + record.state()
                        + "; only FAILED or STOPPED clients can be restarted");
            }
            Members members = ownership.members();
            if (members.ownerAlive(record)) {
                clients.update(name, ClientRecord::restart);
            } else {
                String target = members.place(ownership.placement(), record.spec(), clients.list(), Set.of())
                        .orElseThrow(() -> NovaException.unavailable("no node can run client '" + name + "'"));
                long incarnation = members.incarnationOf(target).orElseThrow();
                long now = System.currentTimeMillis();
                clients.update(name, r -> r.restart().assign(target, incarnation, ClientState.CONNECTING, now));
            }
            reconciler.reconcile(name);
        });
        return settle(name, r -> r.state() != ClientState.FAILED && r.state() != ClientState.STOPPED);
    }

    /**
     * Subscribes channels of a client.
     *
     * @param id caller-chosen id, only for a single channel; null for generated ids
     */
    public List<Subscription> subscribe(String name, List<String> channels, boolean persistent, String id) {
        return locks.call(name, () -> {
            ClientRecord record = get(name);
            if (!distributedSubscriptions && !ownership.mine(record)) {
                throw NovaException.conflict("subscriptions are node-local (nova.cluster.components.subscriptions="
                        + "false): subscribe client '" + name + "' on its owner, " + record.owner());
            }
            List<String> checked = validator.checkChannels(record.spec(), channels);
            if (id != null) {
                SubscriptionRegistry.checkId(id);
                if (channels.size() != 1) {
                    throw NovaException.invalid("id can only be given when subscribing a single channel");
                }
            }
            long now = System.currentTimeMillis();
            List<Subscription> created = new ArrayList<>();
            for (String channel : checked) {
                created.add(new Subscription(
                        id != null ? id : SubscriptionRegistry.newId(),
                        name,
                        channel,
                        persistent,
                        now,
                        record.spec().platform().id()));
            }
            subscriptions.addAll(created);
            reconciler.reconcile(name);
            return created;
        });
    }

    /** What an adoption made, and the channels the client already held. */
    public record Adoption(List<Subscription> made, List<String> skipped) {}

    /**
     * Subscribes a client persistently to those of {@code channels} it does not hold yet, under its lock (two
     * adoptions at once subscribe each channel once), all or none.
     */
    public Adoption adopt(String name, List<String> channels) {
        return locks.call(name, () -> {
            Set<String> held = subscriptions.channelsOf(name);
            List<String> skipped = channels.stream().filter(held::contains).toList();
            List<String> wanted =
                    channels.stream().filter(c -> !held.contains(c)).toList();
            return new Adoption(wanted.isEmpty() ? List.of() : subscribe(name, wanted, true, null), skipped);
        });
    }

    /** Removes one subscription; the exchange is unsubscribed when no other subscription needs the channel. */
    public void unsubscribe(String name, String id) {
        locks.run(name, () -> {
            get(name);
            subscriptions
                    .find(id)
                    .filter(s -> s.client().equals(name))
                    .orElseThrow(
                            () -> NovaException.notFound("client '" + name + "' has no subscription '" + id + "'"));
            subscriptions.remove(id);
            reconciler.reconcile(name);
        });
    }

    /** Waits briefly for the owner to carry out an intent, and answers with the record as it then is. */
    private ClientRecord settle(String name, Predicate<ClientRecord> done) {
        return clients.await(name, done, SETTLE_TIMEOUT).orElseThrow(() -> unknown(name));
    }

    private static NovaException unknown(String name) {
        return NovaException.notFound("client '" + name + "' does not exist");
    }
}
