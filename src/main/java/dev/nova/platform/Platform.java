package dev.nova.platform;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import org.infinispan.protostream.annotations.Proto;

/** The exchanges Nova speaks to. The id is the name used in config keys and in the REST API. */
@Proto
public enum Platform {
    DERIBIT("deribit"),
    BINANCE("binance");

    private final String id;

    Platform(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** Looks a platform up by its id, ignoring case. */
    public static Optional<Platform> fromId(String id) {
        if (id == null) {
            return Optional.empty();
        }
        String wanted = id.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(p -> p.id.equals(wanted)).findFirst();
    }

    /** The ids of every platform, for error messages. */
    public static String ids() {
        return Arrays.stream(values()).map(Platform::id).collect(Collectors.joining(", "));
    }
}
