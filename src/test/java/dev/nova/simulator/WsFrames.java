package dev.nova.simulator;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/** RFC 6455 pieces for the server side: handshake accept key and unmasked frame encoding. */
final class WsFrames {

    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private WsFrames() {}

    static String acceptKey(String key) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            byte[] digest = sha1.digest((key.trim() + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] text(String text) {
        return frame(TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A text message as frames of at most {@code fragmentBytes} of payload each (one frame when it fits, or when
     * {@code fragmentBytes} is 0): a first text frame, then continuation frames, split anywhere, even inside a UTF-8
     * character, as RFC 6455 allows.
     */
    static byte[] text(String text, int fragmentBytes) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        if (fragmentBytes <= 0 || payload.length <= fragmentBytes) {
            return frame(TEXT, payload);
        }
        ByteArrayOutputStream out =
                new ByteArrayOutputStream(payload.length + 16 * (payload.length / fragmentBytes + 1));
        writeText(out, payload, fragmentBytes);
        return out.toByteArray();
    }

    /** Writes a text message as {@link #text(String, int)} frames it. */
    static void writeText(ByteArrayOutputStream out, byte[] payload, int fragmentBytes) {
        if (fragmentBytes <= 0 || payload.length <= fragmentBytes) {
            writeFrame(out, TEXT, payload);
            return;
        }
        for (int at = 0; at < payload.length; at += fragmentBytes) {
            int length = Math.min(fragmentBytes, payload.length - at);
            boolean fin = at + length == payload.length;
            writeFrame(out, at == 0 ? TEXT : CONTINUATION, fin, payload, at, length);
        }
    }

    static byte[] frame(int opcode, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + 10);
        writeFrame(out, opcode, payload);
        return out.toByteArray();
    }

    static void writeFrame(ByteArrayOutputStream out, int opcode, byte[] payload) {
        writeFrame(out, opcode, true, payload, 0, payload.length);
    }

    private static void writeFrame(
            ByteArrayOutputStream out, int opcode, boolean fin, byte[] payload, int offset, int length) {
        out.write((fin ? 0x80 : 0) | opcode);
        if (length < 126) {
            out.write(length);
        } else if (length < 65536) {
            out.write(126);
            out.write(length >>> 8);
            out.write(length & 0xFF);
        } else {
            out.write(127);
            long l = length;
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) (l >>> shift) & 0xFF);
            }
        }
        out.write(payload, offset, length);
    }

    static byte[] close(int code, String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[2 + text.length];
        payload[0] = (byte) (code >>> 8);
        payload[1] = (byte) code;
        System.arraycopy(text, 0, payload, 2, text.length);
        return frame(CLOSE, payload);
    }
}
