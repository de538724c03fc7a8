package dev.nova.ratelimit;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.metrics.MetricRegistry;

/** The rate-limit gauges of {@code /metrics}: requests admitted, delayed, rejected, and budgets backed off. */
@ApplicationScoped
public class RateLimitMetrics {

    private final MetricRegistry registry;
    private final RateLimitedGate gate;

    @Inject
    public RateLimitMetrics(MetricRegistry registry, RateLimitedGate gate) {
        this.registry = registry;
        this.gate = gate;
    }

    protected RateLimitMetrics() {
        this(null, null);
    }

    @PostConstruct
    void start() {
        registry.gauge("nova.ratelimit.admitted", gate, RateLimitedGate::admitted);
        registry.gauge("nova.ratelimit.delayed", gate, RateLimitedGate::delayed);
        registry.gauge("nova.ratelimit.rejected", gate, RateLimitedGate::rejected);
        registry.gauge("nova.ratelimit.backoffs", gate, RateLimitedGate::backOffs);
        registry.gauge("nova.ratelimit.unleased", gate, RateLimitedGate::unleased);
    }

    /** Registers the gauges at startup, so that they are scraped before the first request. */
    void onStart(@Observes @Initialized(ApplicationScoped.class) Object event) {
        // Instantiating the bean is enough: @PostConstruct registers the gauges.
    }
}
