package dev.nova.cluster;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * Asks the kernel whether anything listens at a member's JGroups port: a refused connection ("Connection refused",
 * a reset answering the SYN) proves that no process holds the port any more (kill -9, a stop). Everything else proves
 * nothing: accepted, no answer within the timeout, and also the other connect errors Java reports as a
 * {@link ConnectException}, such as "Network is unreachable" when this node's own link is down. Java gives the two
 * apart only by the message (the system's error text, English under the C or an English locale, as in the image);
 * under another locale nothing counts as refused, and suspects wait for the verification as before.
 */
final class PortProbe {

    private PortProbe() {}

    /** Whether {@code address} refused a connection within {@code timeoutMs}. */
    static boolean refuses(InetSocketAddress address, int timeoutMs) {
        try (Socket socket = new Socket()) {
            socket.connect(address, Math.max(1, timeoutMs));
            return false;
        } catch (ConnectException e) {
            return e.getMessage() != null && e.getMessage().contains("refused");
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }
}
