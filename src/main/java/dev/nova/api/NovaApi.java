package dev.nova.api;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.info.Info;

/** Nova's admin API, rooted at {@code /api}. */
@ApplicationPath("/api")
@OpenAPIDefinition(
        info =
                @Info(
                        title = "Nova admin API",
                        version = "0.1",
                        description = "Clients, subscriptions and market-data streams of a Nova node. Errors are "
                                + "application/problem+json (RFC 9457)."))
public class NovaApi extends Application {}
