package dev.nova.stream;

import java.util.Set;

/**
 * What one SSE consumer asked for: a set of channels, optionally from one client only.
 *
 * @param client the only client whose messages are wanted, or null for any client
 */
public record StreamFilter(Set<String> channels, String client) {

    public StreamFilter {
        channels = Set.copyOf(channels);
    }
}
