/**
 * The offline demo behind {@code mvn -Pdemo package}: the exchange simulator plus one Nova node configured with a
 * Deribit and a Binance client, so a new user sees live market data over SSE without network access.
 */
package dev.nova.demo;
