package dev.nova.cluster;

import dev.nova.NovaException;
import dev.nova.config.ConfigException;
import dev.nova.config.ConfigReader;
import dev.nova.model.Names;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * This node as the operator named it (the {@code nova.node.name} and {@code nova.node.region} keys).
 *
 * @param name the node's name in the cluster; the host name when not configured
 * @param region the node's geographic region, for placement
 */
public record NodeSettings(String name, String region) {

    /** Reads the {@code nova.node.*} keys; a bad value is a {@link ConfigException} naming its key. */
    public static NodeSettings read(ConfigReader config) {
        String name = config.optional("nova.node.name").orElseGet(NodeSettings::hostName);
        try {
            Names.checkName(name);
        } catch (NovaException e) {
            throw new ConfigException("nova.node.name", e.getMessage());
        }
        return new NodeSettings(name, config.matching("nova.node.region", Names.NAME, "a valid region name"));
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "nova";
        }
    }
}
