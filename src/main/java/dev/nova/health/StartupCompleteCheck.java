package dev.nova.health;

import dev.nova.boot.DeclaredClients;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Startup;

/** Started once configuration was validated and the declared clients were created. */
@Startup
@ApplicationScoped
public class StartupCompleteCheck implements HealthCheck {

    private final DeclaredClients declared;

    @Inject
    public StartupCompleteCheck(DeclaredClients declared) {
        this.declared = declared;
    }

    protected StartupCompleteCheck() {
        this(null);
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("nova-startup")
                .status(declared.done())
                .withData("declaredClients", declared.names().size())
                .build();
    }
}
