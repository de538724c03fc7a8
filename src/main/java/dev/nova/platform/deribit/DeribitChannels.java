package dev.nova.platform.deribit;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Deribit channel syntax: {@code kind.INSTRUMENT.interval} and the few other shapes Deribit documents
 * ({@code book.BTC-PERPETUAL.100ms}, {@code book.BTC-PERPETUAL.none.10.100ms}, {@code trades.future.BTC.raw},
 * {@code deribit_price_index.btc_usd}, {@code user.orders.BTC-PERPETUAL.raw}). Instrument names are upper case.
 */
final class DeribitChannels {

    private static final String INSTRUMENT = "[A-Z0-9][A-Z0-9_-]*";
    private static final String INTERVAL = "(raw|100ms|agg2)";
    private static final String KIND = "(future|option|spot|future_combo|option_combo|any)";
    private static final String CURRENCY = "[A-Z0-9_]+";

    private static final List<Pattern> PUBLIC = List.of(
            Pattern.compile("book\\." + INSTRUMENT + "\\." + INTERVAL),
            Pattern.compile("book\\." + INSTRUMENT + "\\.[a-z0-9.]+\\.(1|10|20)\\.(100ms|agg2)"),
            Pattern.compile("trades\\." + INSTRUMENT + "\\." + INTERVAL),
            Pattern.compile("trades\\." + KIND + "\\." + CURRENCY + "\\." + INTERVAL),
            Pattern.compile("ticker\\." + INSTRUMENT + "\\." + INTERVAL),
            Pattern.compile("incremental_ticker\\." + INSTRUMENT),
            Pattern.compile("quote\\." + INSTRUMENT),
            Pattern.compile("perpetual\\." + INSTRUMENT + "\\." + INTERVAL),
            Pattern.compile("chart\\.trades\\." + INSTRUMENT + "\\.[0-9]+[A-Z]?"),
            Pattern.compile("deribit_price_index\\.[a-z0-9_]+"),
            Pattern.compile("deribit_price_ranking\\.[a-z0-9_]+"),
            Pattern.compile("deribit_volatility_index\\.[a-z0-9_]+"),
            Pattern.compile("estimated_expiration_price\\.[a-z0-9_]+"),
            Pattern.compile("markprice\\.options\\.[a-z0-9_]+"),
            Pattern.compile("instrument\\.state\\.[a-z_]+\\.[A-Za-z0-9_]+"),
            Pattern.compile("platform_state"),
            Pattern.compile("announcements"));

    private static final Pattern PRIVATE = Pattern.compile("user\\.[a-z_]+(\\.[A-Za-z0-9_-]+)*");

    /** Instrument-specific trades: the only trades channel whose {@code trade_seq} is contiguous. */
    static final Pattern INSTRUMENT_TRADES = Pattern.compile("trades\\." + INSTRUMENT + "\\." + INTERVAL);

    private DeribitChannels() {}

    static Optional<String> check(String channel) {
        if (channel == null || channel.isBlank()) {
            return Optional.of("channel must not be empty");
        }
        if (isPrivate(channel)) {
            return Optional.empty();
        }
        for (Pattern p : PUBLIC) {
            if (p.matcher(channel).matches()) {
                return Optional.empty();
            }
        }
        return Optional.of("'" + channel + "' is not a Deribit channel; expected kind.INSTRUMENT.interval, e.g. "
                + "book.BTC-PERPETUAL.100ms, trades.BTC-PERPETUAL.raw or ticker.ETH-PERPETUAL.100ms "
                + "(instrument names are upper case; intervals raw, 100ms or agg2)");
    }

    static boolean isPrivate(String channel) {
        return PRIVATE.matcher(channel).matches();
    }

    /**
     * Whether {@code channel} is {@code trades.INSTRUMENT.interval}: the same as matching {@link #INSTRUMENT_TRADES},
     * without a matcher per message (asked for every trade notification; a regex was measured on the ingest path).
     */
    static boolean hasContiguousTradeSeq(String channel) {
        if (!channel.startsWith("trades.")) {
            return false;
        }
        int dot;
        if (channel.endsWith(".raw")) {
            dot = channel.length() - 4;
        } else if (channel.endsWith(".100ms")) {
            dot = channel.length() - 6;
        } else if (channel.endsWith(".agg2")) {
            dot = channel.length() - 5;
        } else {
            return false;
        }
        int start = "trades.".length();
        if (dot <= start) {
            return false;
        }
        for (int i = start; i < dot; i++) {
            char c = channel.charAt(i);
            boolean upperOrDigit = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (!upperOrDigit && (i == start || (c != '_' && c != '-'))) {
                return false;
            }
        }
        return true;
    }
}
