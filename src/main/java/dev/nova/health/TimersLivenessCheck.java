package dev.nova.health;

import dev.nova.connection.ConnectionManager;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/** Live while the connection watchdog keeps ticking: a node whose timers stopped can no longer heal sessions. */
@Liveness
@ApplicationScoped
public class TimersLivenessCheck implements HealthCheck {

    static final long MAX_SILENCE_MS = 15_000;

    private final ConnectionManager connections;

    @Inject
    public TimersLivenessCheck(ConnectionManager connections) {
        this.connections = connections;
    }

    protected TimersLivenessCheck() {
        this(null);
    }

    @Override
    public HealthCheckResponse call() {
        long silentFor = System.currentTimeMillis() - connections.lastTickAt();
        return HealthCheckResponse.named("nova-timers")
                .status(silentFor <= MAX_SILENCE_MS)
                .withData("lastTickAgoMs", silentFor)
                .build();
    }
}
