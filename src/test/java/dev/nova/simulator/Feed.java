package dev.nova.simulator;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One channel at the exchange: a sequence that advances whether anyone listens or not (as a real market does),
 * and the sessions subscribed to it. Every message is encoded once and the same frame goes to every subscriber.
 * Payloads are shaped like the examples in Deribit's and Binance's API documentation.
 */
final class Feed {

    enum Kind {
        DERIBIT_BOOK,
        DERIBIT_TRADES,
        DERIBIT_TICKER,
        DERIBIT_OTHER,
        BINANCE_TRADE,
        BINANCE_AGG_TRADE,
        BINANCE_DEPTH,
        BINANCE_PARTIAL_DEPTH,
        BINANCE_BOOK_TICKER,
        BINANCE_OTHER
    }

    private final String channel;
    private final Kind kind;
    private final String instrument;
    private final Set<SimSession> subscribers = ConcurrentHashMap.newKeySet();
    private final boolean stampNanos;
    private final int fragmentBytes;
    private long sequence = 1000;
    private long tradeId = 48_079_254;

    Feed(String channel, boolean deribit, boolean stampNanos, int fragmentBytes) {
        this.channel = channel;
        this.fragmentBytes = fragmentBytes;
        this.stampNanos = stampNanos;
        this.kind = deribit ? deribitKind(channel) : binanceKind(channel);
        this.instrument = deribit
                ? deribitInstrument(channel)
                : channel.substring(0, Math.max(0, channel.indexOf('@'))).toUpperCase(Locale.ROOT);
    }

    private static Kind deribitKind(String channel) {
        if (channel.startsWith("book.")) {
            return Kind.DERIBIT_BOOK;
        }
        if (channel.startsWith("trades.") && channel.split("\\.").length == 3) {
            return Kind.DERIBIT_TRADES;
        }
        if (channel.startsWith("ticker.")) {
            return Kind.DERIBIT_TICKER;
        }
        return Kind.DERIBIT_OTHER;
    }

    private static String deribitInstrument(String channel) {
        String[] parts = channel.split("\\.");
        return parts.length > 1 ? parts[1] : channel;
    }

    private static Kind binanceKind(String channel) {
        String stream = channel.substring(channel.indexOf('@') + 1);
        if (stream.equals("trade")) {
            return Kind.BINANCE_TRADE;
        }
        if (stream.equals("aggTrade")) {
            return Kind.BINANCE_AGG_TRADE;
        }
        if (stream.equals("depth") || stream.startsWith("depth@")) {
            return Kind.BINANCE_DEPTH;
        }
        if (stream.matches("depth(5|10|20)(@.*)?")) {
            return Kind.BINANCE_PARTIAL_DEPTH;
        }
        if (stream.equals("bookTicker")) {
            return Kind.BINANCE_BOOK_TICKER;
        }
        return Kind.BINANCE_OTHER;
    }

    String channel() {
        return channel;
    }

    synchronized long sequence() {
        return sequence;
    }

    int subscriberCount() {
        return subscribers.size();
    }

    /** Adds a subscriber; a Deribit book subscriber first receives a snapshot at the current change id. */
    synchronized void subscribe(SimSession session) {
        if (subscribers.add(session) && kind == Kind.DERIBIT_BOOK) {
            session.send(WsFrames.text(deribitEnvelope(bookSnapshot(System.currentTimeMillis())), fragmentBytes));
        }
    }

    void unsubscribe(SimSession session) {
        subscribers.remove(session);
    }

    /** Advances the channel by one message and sends it to every subscriber. */
    synchronized void tick(long now) {
        byte[] frame = WsFrames.text(next(now), fragmentBytes);
        for (SimSession session : subscribers) {
            session.send(frame);
        }
    }

    /** Advances by {@code count} messages encoded into one buffer, sent to every subscriber at once. */
    synchronized void blast(int count, long now) {
        send(encode(count, now));
    }

    /** Advances by {@code count} messages and returns their frames in one buffer, sent to nobody yet. */
    synchronized byte[] encode(int count, long now) {
        if (count == 0) {
            return new byte[0];
        }
        byte[] first = next(now).getBytes(StandardCharsets.UTF_8);
        // Sized for messages a little longer than the first, so that a large blast is not copied as it grows.
        ByteArrayOutputStream frames =
                new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 8, (long) count * (first.length + 24)));
        WsFrames.writeText(frames, first, fragmentBytes);
        for (int i = 1; i < count; i++) {
            WsFrames.writeText(frames, next(now).getBytes(StandardCharsets.UTF_8), fragmentBytes);
        }
        return frames.toByteArray();
    }

    /** Sends frames (from {@link #encode}) to every subscriber. */
    void send(byte[] frames) {
        for (SimSession session : subscribers) {
            session.send(frames);
        }
    }

    private String next(long now) {
        return switch (kind) {
            case DERIBIT_BOOK -> deribitEnvelope(bookChange(now));
            case DERIBIT_TRADES -> deribitEnvelope(trade(now));
            case DERIBIT_TICKER -> deribitEnvelope(ticker(now));
            case DERIBIT_OTHER -> deribitEnvelope("{\"timestamp\":" + now + ",\"price\":" + price() + "}");
            case BINANCE_TRADE -> binanceEnvelope(binanceTrade(now));
            case BINANCE_AGG_TRADE -> binanceEnvelope(binanceAggTrade(now));
            case BINANCE_DEPTH -> binanceEnvelope(binanceDepth(now));
            case BINANCE_PARTIAL_DEPTH -> binanceEnvelope(binancePartialDepth());
            case BINANCE_BOOK_TICKER -> binanceEnvelope(binanceBookTicker());
            case BINANCE_OTHER -> binanceEnvelope("{\"e\":\"" + channel.substring(channel.indexOf('@') + 1)
                    + "\",\"E\":" + now + ",\"s\":\"" + instrument + "\"}");
        };
    }

    private String deribitEnvelope(String data) {
        return "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":\"" + channel + "\",\"data\":"
                + data + "}}";
    }

    private String binanceEnvelope(String data) {
        return "{\"stream\":\"" + channel + "\",\"data\":" + data + "}";
    }

    private String price() {
        return String.format(Locale.ROOT, "%.2f", 5042.0 + (sequence % 100) / 4.0);
    }

    private String bookSnapshot(long now) {
        return "{\"type\":\"snapshot\",\"timestamp\":" + now + ",\"instrument_name\":\"" + instrument
                + "\",\"change_id\":" + sequence + ",\"bids\":[[\"new\",5042.34,30.0],[\"new\",5041.94,20.0]],"
                + "\"asks\":[[\"new\",5042.64,40.0],[\"new\",5043.3,40.0]]}";
    }

    private String bookChange(long now) {
        long previous = sequence++;
        return "{\"type\":\"change\",\"timestamp\":" + now + ",\"prev_change_id\":" + previous
                + ",\"instrument_name\":\"" + instrument + "\",\"change_id\":" + sequence
                + ",\"bids\":[[\"change\"," + price() + ",40.0]],\"asks\":[[\"delete\",5043.3,0.0]]}";
    }

    private String trade(long now) {
        sequence++;
        tradeId++;
        return "[{" + (stampNanos ? "\"nanos\":" + System.nanoTime() + "," : "") + "\"trade_seq\":" + sequence
                + ",\"trade_id\":\"" + tradeId + "\",\"timestamp\":" + now
                + ",\"tick_direction\":0,\"price\":" + price() + ",\"mark_price\":5041.8,\"instrument_name\":\""
                + instrument + "\",\"index_price\":5043.12,\"direction\":\"sell\",\"amount\":10.0}]";
    }

    private String ticker(long now) {
        sequence++;
        return "{\"timestamp\":" + now + ",\"stats\":{\"volume\":5.6,\"price_change\":-2.15,\"low\":5003.5,"
                + "\"high\":5066.0},\"state\":\"open\",\"settlement_price\":5031.3,\"open_interest\":12.3,"
                + "\"min_price\":4966.3,\"max_price\":5118.3,\"mark_price\":5041.8,\"last_price\":" + price()
                + ",\"instrument_name\":\"" + instrument + "\",\"index_price\":5043.12,\"best_bid_price\":"
                + "5042.34,\"best_bid_amount\":30.0,\"best_ask_price\":5042.64,\"best_ask_amount\":40.0}";
    }

    private String binanceTrade(long now) {
        sequence++;
        return "{\"e\":\"trade\",\"E\":" + now + ",\"s\":\"" + instrument + "\",\"t\":" + sequence
                + ",\"p\":\"0.00" + (sequence % 90 + 10) + "\",\"q\":\"100\",\"T\":" + now
                + ",\"m\":true,\"M\":true}";
    }

    private String binanceAggTrade(long now) {
        sequence++;
        return "{\"e\":\"aggTrade\",\"E\":" + now + ",\"s\":\"" + instrument + "\",\"a\":" + sequence
                + ",\"p\":\"0.001\",\"q\":\"100\",\"f\":" + (sequence * 3) + ",\"l\":" + (sequence * 3 + 2)
                + ",\"T\":" + now + ",\"m\":true,\"M\":true}";
    }

    private String binanceDepth(long now) {
        long first = sequence + 1;
        sequence += 3;
        return "{\"e\":\"depthUpdate\",\"E\":" + now + ",\"s\":\"" + instrument + "\",\"U\":" + first + ",\"u\":"
                + sequence + ",\"b\":[[\"0.0024\",\"10\"]],\"a\":[[\"0.0026\",\"100\"]]}";
    }

    private String binancePartialDepth() {
        sequence++;
        return "{\"lastUpdateId\":" + sequence + ",\"bids\":[[\"0.0024\",\"10\"]],\"asks\":[[\"0.0026\",\"100\"]]}";
    }

    private String binanceBookTicker() {
        sequence++;
        return "{\"u\":" + sequence + ",\"s\":\"" + instrument + "\",\"b\":\"25.35190000\",\"B\":\"31.21000000\","
                + "\"a\":\"25.36520000\",\"A\":\"40.66000000\"}";
    }
}
