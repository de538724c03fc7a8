package dev.nova.simulator;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** One client session at the simulated exchange: its connection and the channels it holds. */
abstract class SimSession implements WsConnection.Listener {

    final int id;
    final WsConnection connection;
    final ExchangeSimulator exchange;
    final Set<String> channels = ConcurrentHashMap.newKeySet();

    SimSession(int id, WsConnection connection, ExchangeSimulator exchange) {
        this.id = id;
        this.connection = connection;
        this.exchange = exchange;
    }

    abstract String platform();

    /** The account the session authenticated as, or null. */
    String account() {
        return null;
    }

    void send(byte[] frame) {
        connection.send(frame);
    }

    void sendText(String text) {
        connection.sendText(text);
    }

    void subscribe(String channel) {
        if (channels.add(channel)) {
            exchange.feed(channel, "deribit".equals(platform())).subscribe(this);
        }
        exchange.countSubscribe(channel);
    }

    void unsubscribe(String channel) {
        if (channels.remove(channel)) {
            exchange.feed(channel, "deribit".equals(platform())).unsubscribe(this);
        }
    }

    @Override
    public void onClosed(WsConnection connection) {
        for (String channel : channels) {
            exchange.feed(channel, "deribit".equals(platform())).unsubscribe(this);
        }
        exchange.sessionClosed(this);
    }

    @Override
    public void onPong(WsConnection connection) {}

    @Override
    public void onPing(WsConnection connection) {}
}
