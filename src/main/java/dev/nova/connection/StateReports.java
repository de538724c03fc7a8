package dev.nova.connection;

import dev.nova.concurrency.SerialExecutor;
import dev.nova.model.ClientState;

/**
 * Tells a connection's listener the states its client reaches, in order, on the report pool rather than the client's
 * lane: the listener writes them to the replicated registry, and a write caught by a hang of this process waits for
 * the remote timeout after the resume; the release that closes the stale sessions must not queue behind it. Reports
 * still queued when the node lets go of the client are not made.
 */
final class StateReports {

    private final SerialExecutor reporter;
    private final ConnectionListener listener;
    private final String client;
    private final long epoch;
    private volatile boolean released;

    StateReports(ConnectionEnvironment env, String client, long epoch) {
        this.reporter = new SerialExecutor(env.reports(), "report-" + client);
        this.listener = env.listener();
        this.client = client;
        this.epoch = epoch;
    }

    void report(ClientState reached, String detail) {
        reporter.execute(() -> {
            if (!released) {
                listener.stateChanged(client, epoch, reached, detail);
            }
        });
    }

    /** This node lets go of the client: nothing more is reported. */
    void release() {
        released = true;
    }
}
