package dev.nova.api;

import java.util.Map;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.security.SecurityScheme;

/**
 * Writes into the OpenAPI document which role each operation needs, as web.xml enforces it: {@code nova-reader}
 * for reads and rate-limit checks, {@code nova-admin} for every other write (an admin may do everything a reader
 * may). Each operation gets the HTTP Basic security requirement, an {@code x-nova-role} extension and a line in its
 * description. Registered by {@code mp.openapi.filter}.
 */
public class OpenApiRoles implements OASFilter {

    static final String READER = "nova-reader";
    static final String ADMIN = "nova-admin";

    @Override
    public void filterOpenAPI(OpenAPI openApi) {
        if (openApi.getComponents() == null) {
            openApi.setComponents(OASFactory.createComponents());
        }
        openApi.getComponents()
                .addSecurityScheme(
                        "basic",
                        OASFactory.createSecurityScheme()
                                .type(SecurityScheme.Type.HTTP)
                                .scheme("basic")
                                .description("HTTP Basic; the users and roles are Liberty's (README, \"Roles\")"));
        if (openApi.getPaths() == null || openApi.getPaths().getPathItems() == null) {
            return;
        }
        for (Map.Entry<String, PathItem> path :
                openApi.getPaths().getPathItems().entrySet()) {
            Map<PathItem.HttpMethod, Operation> operations = path.getValue().getOperations();
            if (operations == null) {
                continue;
            }
            operations.forEach((method, operation) -> {
                String role = role(method.name(), path.getKey());
                operation.addExtension("x-nova-role", role);
                operation.addSecurityRequirement(
                        OASFactory.createSecurityRequirement().addScheme("basic"));
                String said = "Needs the role " + role + ".";
                operation.setDescription(
                        operation.getDescription() == null ? said : operation.getDescription() + " " + said);
            });
        }
    }

    /** The role web.xml requires for {@code method} on {@code path} (a path of the API, with or without /api). */
    static String role(String method, String path) {
        boolean read = method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS");
        return read || path.endsWith("/ratelimits/check") ? READER : ADMIN;
    }
}
