package dev.nova.cluster;

import java.time.Duration;
import java.util.List;

/**
 * How this node joins the cluster (the {@code nova.cluster.*} keys).
 *
 * @param enabled false runs a single node with local caches and no JGroups at all
 * @param name the JGroups cluster name; nodes with different names never see each other
 * @param bindAddress the address JGroups binds to (never a wildcard: a node must know which interface it uses)
 * @param bindPort the JGroups TCP port
 * @param fdPortOffset FD_SOCK2 listens on {@code bindPort + fdPortOffset}
 * @param discovery how members find each other
 * @param initialHosts members to contact for {@code static} discovery
 * @param dnsQuery the DNS name listing members for {@code dns} discovery (a Kubernetes headless service)
 * @param externalAddress the address advertised to other members, or null for the bind address
 * @param syncInterval how often the subscription registry is reconciled with the sessions
 * @param distributedSubscriptions false keeps the subscription registry node-local
 * @param fdTimeout a member silent this long is suspected (JGroups FD_ALL3)
 * @param fdInterval heartbeat interval of FD_ALL3
 * @param verifySuspectTimeout how long a suspected member has to answer before it leaves the view (JGroups
 *     VERIFY_SUSPECT2, which also looks at its suspects at this period: a suspicion is confirmed one to two times this
 *     after it arose)
 * @param quorumSize members a side needs to keep running its clients, or null for the majority rule
 */
public record ClusterSettings(
        boolean enabled,
        String name,
        String bindAddress,
        int bindPort,
        int fdPortOffset,
        Discovery discovery,
        List<HostPort> initialHosts,
        String dnsQuery,
        String externalAddress,
        Duration syncInterval,
        boolean distributedSubscriptions,
        Duration fdTimeout,
        Duration fdInterval,
        Duration verifySuspectTimeout,
        Integer quorumSize) {

    /** How members find each other. */
    public enum Discovery {
        /** A fixed list of members (JGroups TCPPING). */
        STATIC,
        /** DNS A records, e.g. a Kubernetes headless service (JGroups DNS_PING). */
        DNS
    }

    /** One member address of the static list. */
    public record HostPort(String host, int port) {

        @Override
        public String toString() {
            return host + "[" + port + "]";
        }
    }
}
