package dev.nova.cluster;

import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;
import org.jgroups.Address;
import org.jgroups.Message;
import org.jgroups.annotations.ManagedAttribute;
import org.jgroups.protocols.relay.SiteAddress;
import org.jgroups.stack.Protocol;
import org.jgroups.util.MessageBatch;

/**
 * On top of RELAY2: passes up only what comes from this cluster or a cluster it is bridged to. Every site master with
 * the bridge secret shares one bridge, so a cluster that lists this one while this one does not list it can reach it;
 * Infinispan would put what it sends into the cache of the same name here (this cluster's own registry), having no
 * {@code <cache>@<cluster>} for it. Its messages are dropped here instead, and NOVA-1043 says so once a minute per
 * cluster.
 */
public class BridgeGate extends Protocol {

    private static final Logger LOG = Logger.getLogger(ClusterRuntime.class.getName());
    private static final long NOTE_EVERY_NS = TimeUnit.MINUTES.toNanos(1);

    private final Set<String> sites;
    private final Map<String, Long> notedAt = new ConcurrentHashMap<>();
    private final LongAdder dropped = new LongAdder();

    /** A gate that lets through this cluster's site and the bridged ones. */
    BridgeGate(Set<String> sites) {
        this.sites = Set.copyOf(sites);
    }

    @ManagedAttribute(description = "Messages dropped because they came from a cluster this one is not bridged to")
    public long dropped() {
        return dropped.sum();
    }

    @Override
    public Object up(Message msg) {
        return admitted(msg.getSrc()) ? up_prot.up(msg) : null;
    }

    @Override
    public void up(MessageBatch batch) {
        for (Iterator<Message> it = batch.iterator(); it.hasNext(); ) {
            if (!admitted(it.next().getSrc())) {
                it.remove();
            }
        }
        if (!batch.isEmpty()) {
            up_prot.up(batch);
        }
    }

    private boolean admitted(Address source) {
        if (!(source instanceof SiteAddress site) || site.getSite() == null || sites.contains(site.getSite())) {
            return true;
        }
        dropped.increment();
        long now = System.nanoTime();
        Long last = notedAt.get(site.getSite());
        if (last == null || now - last > NOTE_EVERY_NS) {
            notedAt.put(site.getSite(), now);
            LOG.warning(() -> "NOVA-1043 dropped a message from cluster " + site.getSite() + ", which is in the bridge"
                    + " but not in nova.cluster.bridge-clusters " + sites + " (" + dropped.sum()
                    + " dropped so far): list it on every node of this cluster to share subscriptions with it");
        }
        return false;
    }
}
