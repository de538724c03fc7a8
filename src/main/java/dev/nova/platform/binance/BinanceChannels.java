package dev.nova.platform.binance;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Binance stream names: {@code symbol@stream} with a lower-case symbol ({@code btcusdt@trade},
 * {@code btcusdt@depth@100ms}, {@code btcusdt@kline_1m}) and the all-market {@code !…@arr} streams.
 */
final class BinanceChannels {

    private static final Pattern SYMBOL_STREAM = Pattern.compile("[a-z0-9]+@("
            + "trade|aggTrade|bookTicker|ticker|miniTicker|avgPrice"
            + "|depth(5|10|20)?(@100ms|@1000ms)?"
            + "|kline_(1s|1m|3m|5m|15m|30m|1h|2h|4h|6h|8h|12h|1d|3d|1w|1M)(@\\+08:00)?"
            + "|ticker_(1h|4h|1d))");

    private static final Pattern ALL_MARKET =
            Pattern.compile("!(ticker@arr|miniTicker@arr|ticker_(1h|4h|1d)@arr|bookTicker)");

    private BinanceChannels() {}

    static Optional<String> check(String channel) {
        if (channel == null || channel.isBlank()) {
            return Optional.of("channel must not be empty");
        }
        if (SYMBOL_STREAM.matcher(channel).matches()
                || ALL_MARKET.matcher(channel).matches()) {
            return Optional.empty();
        }
        return Optional.of("'" + channel + "' is not a Binance stream; expected symbol@stream with a lower-case "
                + "symbol, e.g. btcusdt@trade, btcusdt@aggTrade or btcusdt@depth@100ms");
    }
}
