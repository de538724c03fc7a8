package dev.nova.cluster;

import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.jgroups.Address;
import org.jgroups.Event;
import org.jgroups.annotations.ManagedAttribute;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.stack.IpAddress;

/**
 * VERIFY_SUSPECT2 that also asks the kernel: while it waits for a suspect to answer, it connects to the suspect's
 * transport port, and a refused connection (nothing listens there: the process is gone, as after kill -9) passes the
 * suspicion up at once instead of after one to two {@code timeout}s. Any other outcome (accepted, no answer within
 * {@code timeout}) leaves the suspect to the inherited verification: a live member still has its full time to
 * answer, and one cut off by the network (no answer at all) is verified as before.
 *
 * <p>Why: after kill -9, FD_SOCK2 suspects the member the instant its socket closes, and VERIFY_SUSPECT2, which looks
 * at its suspects at the fixed rate of its {@code timeout}, passed the suspicion on 300 to 600 ms later: half of the
 * failover gap. The same proof of death ({@link Leases} uses it to skip the fence wait) is taken here, one view
 * earlier. A port that refuses while the process lives (a firewall rejecting with a reset) is taken for a death here as
 * it is by the lease: README says so.
 */
public class ProbingVerifySuspect extends VERIFY_SUSPECT2 {

    private final LongAdder confirmed = new LongAdder();

    public ProbingVerifySuspect() {
        // VERIFY_SUSPECT2's protocol id, so that its headers are the same on the wire: a subclass has none registered,
        // and id 0 is the transport's (ConnectTimeoutTransport has none either); two protocols on one id lose headers.
        id = ClassConfigurator.getProtocolId(VERIFY_SUSPECT2.class);
    }

    @ManagedAttribute(description = "Suspects passed on at once because their transport port refused a connection")
    public long confirmedByRefusal() {
        return confirmed.sum();
    }

    @Override
    protected void verifySuspect(Collection<Address> members) {
        super.verifySuspect(members);
        if (members == null) {
            return;
        }
        for (Address member : members) {
            Object physical = down_prot.down(new Event(Event.GET_PHYSICAL_ADDRESS, member));
            log.debug("%s: probing suspect %s at %s", local_addr, member, physical);
            if (physical instanceof IpAddress ip) {
                // On the transport's pool: a connect to a member that does not answer waits up to the timeout.
                timer.execute(() -> probe(member, ip), true);
            }
        }
    }

    private void probe(Address member, IpAddress ip) {
        if (!PortProbe.refuses(new InetSocketAddress(ip.getIpAddress(), ip.getPort()), (int) timeout)) {
            log.debug("%s: %s did not refuse a connection at %s: left to the verification", local_addr, member, ip);
        } else if (removeSuspect(member)) {
            confirmed.increment();
            log.debug("%s: %s refuses connections at %s: passing SUSPECT up without waiting", local_addr, member, ip);
            up_prot.up(new Event(Event.SUSPECT, List.of(member)));
        }
    }
}
