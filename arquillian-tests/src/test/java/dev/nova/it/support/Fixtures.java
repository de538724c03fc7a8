package dev.nova.it.support;

import java.util.HashMap;
import java.util.Map;

/** What the cluster tests set up alike. */
public final class Fixtures {

    private Fixtures() {}

    /**
     * Node settings for tests that lose sessions on purpose: 1 s heartbeats (the simulator must allow them), a
     * silent session noticed after 3 s, and reconnects after 100 ms up to 1 s. A mutable copy: add to it.
     */
    public static Map<String, String> fastSessions() {
        Map<String, String> env = new HashMap<>();
        env.put("NOVA_CONNECTION_HEARTBEAT_INTERVAL", "1");
        env.put("NOVA_CONNECTION_STALE_TIMEOUT", "3000");
        env.put("NOVA_CONNECTION_BACKOFF_INITIAL", "100");
        env.put("NOVA_CONNECTION_BACKOFF_MAX", "1000");
        return env;
    }

    /** Closes what was started, last first, skipping what never was; every close is attempted. */
    public static void close(AutoCloseable... started) {
        RuntimeException failure = null;
        for (int i = started.length - 1; i >= 0; i--) {
            if (started[i] == null) {
                continue;
            }
            try {
                started[i].close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("closing " + started[i] + " failed", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
