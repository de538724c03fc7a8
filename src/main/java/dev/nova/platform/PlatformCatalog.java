package dev.nova.platform;

import dev.nova.platform.binance.BinanceAdapter;
import dev.nova.platform.deribit.DeribitAdapter;
import java.net.URI;
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
}
