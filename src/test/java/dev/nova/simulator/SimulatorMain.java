package dev.nova.simulator;

import java.time.Duration;

/**
 * Runs the simulator as its own process: {@code java dev.nova.simulator.SimulatorMain [--port N] [--rate N]
 * [--credentials id:secret]}. Stops on Ctrl-C.
 */
public final class SimulatorMain {

    private SimulatorMain() {}

    public static void main(String[] args) throws Exception {
        SimulatorOptions options = parse(args);
        try (ExchangeSimulator simulator = ExchangeSimulator.start(options)) {
            System.out.println("Exchange simulator listening: Deribit " + simulator.deribitUrl() + ", Binance "
                    + simulator.binanceUrl());
            Thread.currentThread().join();
        }
    }

    static SimulatorOptions parse(String[] args) {
        SimulatorOptions options = SimulatorOptions.defaults()
                .deribitMinHeartbeatSeconds(1)
                .binancePing(Duration.ofSeconds(20), Duration.ofSeconds(60));
        for (int i = 0; i + 1 < args.length; i += 2) {
            String value = args[i + 1];
            switch (args[i]) {
                case "--port" -> options.port(Integer.parseInt(value));
                case "--host" -> options.host(value);
                case "--rate" -> options.messagesPerSecond(Integer.parseInt(value));
                case "--credentials" -> {
                    int colon = value.indexOf(':');
                    options.credentials(value.substring(0, colon), value.substring(colon + 1));
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        return options;
    }
}
