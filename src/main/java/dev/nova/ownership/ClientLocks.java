package dev.nova.ownership;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.function.Supplier;

/**
 * Serialises the work on one client on this node (a request, a reconcile, a handover), so that none of them sees
 * the others half done. Lock stripes by name: they are never removed.
 */
@ApplicationScoped
public class ClientLocks {

    private final Object[] stripes = new Object[64];

    public ClientLocks() {
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new Object();
        }
    }

    /** Runs {@code work} under the client's lock. */
    public void run(String client, Runnable work) {
        synchronized (stripe(client)) {
            work.run();
        }
    }

    /** Runs {@code work} under the client's lock and answers its result. */
    public <T> T call(String client, Supplier<T> work) {
        synchronized (stripe(client)) {
            return work.get();
        }
    }

    private Object stripe(String client) {
        return stripes[Math.floorMod(client.hashCode(), stripes.length)];
    }
}
