package dev.nova;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nova.cluster.ClusterSchemaImpl;
import dev.nova.cluster.NodeRecord;
import dev.nova.model.ModelSchemaImpl;
import dev.nova.ratelimit.RateLimitSchemaImpl;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.infinispan.protostream.GeneratedSchema;
import org.infinispan.protostream.ProtobufUtil;
import org.infinispan.protostream.SerializationContext;
import org.infinispan.protostream.impl.TagWriterImpl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rules that let members of two releases share the replicated caches and the stores on disk (README, "Rolling
 * upgrades"): every record schema this build generates only adds to the last release's ({@code schema/v1}, as
 * generated at 691fe48). No message or enum is removed; a field or constant keeps its name, number and type; a new
 * field or constant takes a number the message never used. ProtoStream (proto2) skips the fields a reader does not
 * know and leaves the ones a writer did not send at their defaults, so each side reads the other's records.
 */
class SchemaEvolutionTest {

    private static final Pattern BLOCK = Pattern.compile("(message|enum)\\s+(\\w+)\\s*\\{([^}]*)}");
    private static final Pattern FIELD =
            Pattern.compile("(?:optional|required|repeated)?\\s*([\\w.]+)\\s+(\\w+)\\s*=\\s*(\\d+)\\s*;");
    private static final Pattern CONSTANT = Pattern.compile("(\\w+)\\s*=\\s*(\\d+)\\s*;");

    /** One field or enum constant: its type ("" for a constant) and number. */
    private record Slot(String type, int number) {}

    static List<GeneratedSchema> schemas() {
        return List.of(new ClusterSchemaImpl(), new ModelSchemaImpl(), new RateLimitSchemaImpl());
    }

    @ParameterizedTest
    @MethodSource("schemas")
    void everySchemaOnlyAddsToTheLastReleasesOne(GeneratedSchema schema) throws IOException {
        Map<String, Map<String, Slot>> released = parse(released(schema.getProtoFileName()));
        Map<String, Map<String, Slot>> current = parse(schema.getProtoFile());

        assertThat(current.keySet())
                .as("messages and enums of %s", schema.getProtoFileName())
                .containsAll(released.keySet());
        released.forEach((block, slots) -> {
            Map<String, Slot> now = current.get(block);
            slots.forEach((name, slot) -> assertThat(now.get(name))
                    .as("%s.%s keeps its number and type", block, name)
                    .isEqualTo(slot));
            int highest = slots.values().stream().mapToInt(Slot::number).max().orElse(0);
            now.forEach((name, slot) -> {
                if (!slots.containsKey(name)) {
                    assertThat(slot.number())
                            .as("%s.%s is new: it takes a number %s never used", block, name, block)
                            .isGreaterThan(highest);
                }
            });
            assertThat(now.values().stream().map(Slot::number).distinct().count())
                    .as("%s uses each number once", block)
                    .isEqualTo(now.size());
        });
    }

    @Test
    void aNodeRecordKeepsItsNewerFieldsOnTheWireAndOneOfTheFirstReleaseReadsAsSchema1NotDraining() throws IOException {
        SerializationContext context = ProtobufUtil.newSerializationContext();
        new ClusterSchemaImpl().register(context);
        NodeRecord draining =
                NodeRecord.of("n1", "eu-west", "http://n1", 7, "k").draining(true);

        assertThat(ProtobufUtil.fromByteArray(context, ProtobufUtil.toByteArray(context, draining), NodeRecord.class))
                .as("every field of this build's record crosses the wire")
                .isEqualTo(draining);

        // The record as a member of the first release wrote it: fields 1 to 5 only.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TagWriterImpl v1 = TagWriterImpl.newInstance(context, bytes);
        v1.writeString(1, "n2");
        v1.writeString(2, "us-east");
        v1.writeString(3, "http://n2");
        v1.writeInt64(4, 9);
        v1.writeString(5, "");
        v1.flush();
        NodeRecord old = ProtobufUtil.fromByteArray(context, bytes.toByteArray(), NodeRecord.class);
        assertThat(old.name()).isEqualTo("n2");
        assertThat(old.startedAt()).isEqualTo(9);
        assertThat(old.draining()).isFalse();
        assertThat(old.schema()).isEqualTo(1);
    }

    private static String released(String file) throws IOException {
        try (InputStream in = SchemaEvolutionTest.class.getResourceAsStream("/schema/v1/" + file)) {
            assertThat(in).as("the last release's %s", file).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Messages and enums by name, each with its fields or constants by name. */
    private static Map<String, Map<String, Slot>> parse(String proto) {
        String text = proto.replaceAll("//[^\\n]*", "").replaceAll("(?s)/\\*.*?\\*/", "");
        Map<String, Map<String, Slot>> blocks = new LinkedHashMap<>();
        Matcher block = BLOCK.matcher(text);
        while (block.find()) {
            Map<String, Slot> slots = new LinkedHashMap<>();
            boolean message = block.group(1).equals("message");
            String body = block.group(3);
            assertThat(body.chars().filter(c -> c == ';').count())
                    .as("every line of %s is understood (a field with options would not be)", block.group(2))
                    .isEqualTo(
                            (message ? FIELD : CONSTANT).matcher(body).results().count());
            Matcher slot = (message ? FIELD : CONSTANT).matcher(body);
            while (slot.find()) {
                if (message) {
                    slots.put(slot.group(2), new Slot(slot.group(1), Integer.parseInt(slot.group(3))));
                } else {
                    slots.put(slot.group(1), new Slot("", Integer.parseInt(slot.group(2))));
                }
            }
            blocks.put(block.group(2), slots);
        }
        assertThat(blocks).as("a schema with messages").isNotEmpty();
        return blocks;
    }
}
