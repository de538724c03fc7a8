package dev.nova.platform;

import dev.nova.config.ConfigException;
import dev.nova.config.ConfigReader;
import dev.nova.platform.binance.BinanceAdapter;
import dev.nova.platform.deribit.DeribitAdapter;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/** The adapter and default endpoint of every platform, as configured for this node. */
public final class PlatformCatalog {

    private final Map<Platform, PlatformAdapter> adapters = new EnumMap<>(Platform.class);
    private final Map<Platform, URI> defaultUrls = new EnumMap<>(Platform.class);

    public PlatformCatalog(URI deribitUrl, URI binanceUrl, int binanceMaxStreamsPerConnection) {
        adapters.put(Platform.DERIBIT, new DeribitAdapter());
        adapters.put(Platform.BINANCE, new BinanceAdapter(binanceMaxStreamsPerConnection));
        defaultUrls.put(Platform.DERIBIT, Objects.requireNonNull(deribitUrl));
        defaultUrls.put(Platform.BINANCE, Objects.requireNonNull(binanceUrl));
    }

    public PlatformAdapter adapter(Platform platform) {
        return adapters.get(platform);
    }

    /** The endpoint a client of {@code platform} uses when it names none. */
    public URI defaultUrl(Platform platform) {
        return defaultUrls.get(platform);
    }

    /** Reads the {@code nova.platform.*} keys; a bad value is a {@link ConfigException} naming its key. */
    public static PlatformCatalog read(ConfigReader config) {
        return new PlatformCatalog(
                url(config, "nova.platform.deribit.url"),
                url(config, "nova.platform.binance.url"),
                config.intValue(
                        "nova.platform.binance.max-streams-per-connection",
                        1,
                        BinanceAdapter.MAX_STREAMS_PER_CONNECTION));
    }

    private static URI url(ConfigReader config, String key) {
        String raw = config.string(key);
        try {
            URI uri = new URI(raw);
            if (!"ws".equals(uri.getScheme()) && !"wss".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new ConfigException(key, "'" + raw + "' is not a ws:// or wss:// URL");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new ConfigException(key, "'" + raw + "' is not a valid URI");
        }
    }
}
