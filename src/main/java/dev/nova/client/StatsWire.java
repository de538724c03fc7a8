package dev.nova.client;

import dev.nova.connection.ChannelStatus;
import dev.nova.connection.ConnectionStats;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** The counters of clients as they cross the cluster bus from their owner to the node that asked. */
final class StatsWire {

    private StatsWire() {}

    static byte[] encode(Map<String, ConnectionStats> stats) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128 * (stats.size() + 1));
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(stats.size());
            for (Map.Entry<String, ConnectionStats> entry : stats.entrySet()) {
                ConnectionStats s = entry.getValue();
                out.writeUTF(entry.getKey());
                out.writeLong(s.messagesReceived());
                out.writeLong(s.lastMessageAt());
                out.writeLong(s.gaps());
                out.writeLong(s.duplicates());
                out.writeLong(s.malformed());
                out.writeLong(s.reconnects());
                out.writeBoolean(s.lastError() != null);
                if (s.lastError() != null) {
                    out.writeUTF(s.lastError());
                }
                out.writeInt(s.sessions());
                out.writeInt(s.channels().size());
                for (Map.Entry<String, ChannelStatus> channel : s.channels().entrySet()) {
                    out.writeUTF(channel.getKey());
                    out.writeByte(channel.getValue().ordinal());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static Map<String, ConnectionStats> decode(DataInputStream in) throws IOException {
        int count = in.readInt();
        Map<String, ConnectionStats> stats = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String name = in.readUTF();
            long messages = in.readLong();
            long lastMessageAt = in.readLong();
            long gaps = in.readLong();
            long duplicates = in.readLong();
            long malformed = in.readLong();
            long reconnects = in.readLong();
            String lastError = in.readBoolean() ? in.readUTF() : null;
            int sessions = in.readInt();
            int channelCount = in.readInt();
            Map<String, ChannelStatus> channels = new LinkedHashMap<>();
            for (int c = 0; c < channelCount; c++) {
                channels.put(in.readUTF(), ChannelStatus.values()[in.readByte()]);
            }
            stats.put(
                    name,
                    new ConnectionStats(
                            messages,
                            lastMessageAt,
                            gaps,
                            duplicates,
                            malformed,
                            reconnects,
                            lastError,
                            sessions,
                            channels));
        }
        return stats;
    }
}
