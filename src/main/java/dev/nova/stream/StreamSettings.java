package dev.nova.stream;

import java.time.Duration;

/**
 * How market data reaches consumers on this node.
 *
 * @param bufferSize messages a consumer may fall behind before it is dropped
 * @param keepAlive interval of SSE keep-alive comments on an idle stream
 * @param sendTimeout a consumer whose write blocks longer than this is dropped
 */
public record StreamSettings(int bufferSize, Duration keepAlive, Duration sendTimeout) {}
