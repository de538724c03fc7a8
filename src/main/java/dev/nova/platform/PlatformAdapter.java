package dev.nova.platform;

import java.net.URI;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;

/**
 * One exchange's wire protocol: how to validate channel names, encode requests and decode frames. Adapters are
 * stateless and thread-safe; {@link #decode} runs for every frame on the thread handling a session's frames, so it must be
 * cheap and must never throw.
 */
public interface PlatformAdapter {

    Platform platform();

    /** Why {@code channel} is not a valid channel name on this exchange, or empty when it is. */
    Optional<String> checkChannel(String channel);

    /** Why {@code url} cannot be used as this exchange's endpoint, or empty when it can. */
    Optional<String> checkUrl(URI url);

    /** Whether subscribing to {@code channel} needs an authenticated session. */
    boolean isPrivate(String channel);

    /** How many channels one WebSocket session may carry; more are spread over further sessions. */
    int maxChannelsPerSession();

    /** Whether Nova must send WebSocket pings to prove the session alive (the exchange sends no heartbeats). */
    boolean usesPingFrames();

    String encodeSubscribe(long id, Collection<String> channels, boolean authenticated);

    String encodeUnsubscribe(long id, Collection<String> channels, boolean authenticated);

    /** The authentication request (with the secret opened from its seal), or empty when the exchange has none. */
    Optional<String> encodeAuth(long id, String clientId, String clearSecret);

    /** Whether {@link #encodeAuth} sends credentials to this exchange at all (false: they only name the account). */
    default boolean sendsCredentials() {
        return true;
    }

    /** The request that makes the exchange send heartbeats every {@code intervalSeconds}, or empty. */
    Optional<String> encodeHeartbeatSetup(long id, int intervalSeconds);

    /** The answer to an exchange {@code test_request}. */
    String encodeHeartbeatReply(long id);

    /** The channels of {@code requested} that the exchange confirmed in a successful subscribe response. */
    Set<String> acceptedChannels(Collection<String> requested, InboundFrame.Response response);

    /** Decodes one text frame. Never throws: unknown input becomes {@link InboundFrame.Unrecognized}. */
    InboundFrame decode(String frame);

    /** Whether this error code means the exchange throttled the session (and may close it). */
    boolean isRateLimitError(int code);
}
