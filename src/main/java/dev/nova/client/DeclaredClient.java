package dev.nova.client;

import dev.nova.NovaException;
import dev.nova.config.ConfigException;
import dev.nova.config.ConfigReader;
import dev.nova.model.ClientSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A client declared in configuration ({@code nova.clients}) with its persistent start-up channels. */
public record DeclaredClient(ClientSpec spec, List<String> channels) {

    /**
     * Reads {@code nova.clients} and each listed client's {@code nova.client.<name>.*} keys; a bad declaration is a
     * {@link ConfigException} naming the key to fix.
     */
    public static List<DeclaredClient> read(ConfigReader config, ClientValidator validator) {
        List<DeclaredClient> declared = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String name : config.list("nova.clients")) {
            try {
                ClientValidator.checkName(name);
            } catch (NovaException e) {
                throw new ConfigException("nova.clients", e.getMessage());
            }
            if (!seen.add(name)) {
                throw new ConfigException("nova.clients", "client '" + name + "' is listed twice");
            }
            declared.add(read(config, validator, name));
        }
        return List.copyOf(declared);
    }

    private static DeclaredClient read(ConfigReader config, ClientValidator validator, String name) {
        String prefix = "nova.client." + name + ".";
        ClientSpec spec;
        try {
            spec = validator.spec(
                    name,
                    config.string(prefix + "platform"),
                    config.optional(prefix + "url").orElse(null),
                    config.bool(prefix + "region-aware", true),
                    config.optional(prefix + "preferred-region").orElse(null),
                    config.bool(prefix + "cluster-enabled", true),
                    config.optional(prefix + "client-id").orElse(null),
                    config.optional(prefix + "client-secret").orElse(null));
        } catch (NovaException e) {
            throw new ConfigException(keyFor(prefix, e.getMessage()), e.getMessage());
        }
        List<String> channels = config.list(prefix + "channels");
        if (!channels.isEmpty()) {
            try {
                channels = validator.checkChannels(spec, channels);
            } catch (NovaException e) {
                throw new ConfigException(prefix + "channels", e.getMessage());
            }
        }
        return new DeclaredClient(spec, channels);
    }

    /** Names the key a validation message is about, so the operator knows which line to fix. */
    private static String keyFor(String prefix, String message) {
        if (message.startsWith("url")) {
            return prefix + "url";
        }
        if (message.startsWith("credentials")) {
            return prefix + "client-id";
        }
        if (message.startsWith("preferredRegion")) {
            return prefix + "preferred-region";
        }
        return prefix + "platform";
    }
}
