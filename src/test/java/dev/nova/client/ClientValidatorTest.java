package dev.nova.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nova.NovaException;
import dev.nova.model.ClientRecord;
import dev.nova.model.ClientSpec;
import dev.nova.model.ModelSchemaImpl;
import dev.nova.platform.Platform;
import dev.nova.platform.PlatformCatalog;
import dev.nova.platform.SecretBox;
import dev.nova.platform.TestSecrets;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.infinispan.protostream.ProtobufUtil;
import org.infinispan.protostream.SerializationContext;
import org.junit.jupiter.api.Test;

class ClientValidatorTest {

    private final ClientValidator validator = new ClientValidator(
            new PlatformCatalog(
                    URI.create("wss://www.deribit.com/ws/api/v2"),
                    URI.create("wss://stream.binance.com:9443/stream"),
                    1024),
            TestSecrets.box());

    private ClientSpec deribit() {
        return validator.spec("d1", "deribit", null, null, null, null, null, null);
    }

    @Test
    void fillsDefaults() {
        ClientSpec spec = validator.spec("b1", "BINANCE", null, null, null, null, null, null);

        assertThat(spec.platform()).isEqualTo(Platform.BINANCE);
        assertThat(spec.url()).isEqualTo("wss://stream.binance.com:9443/stream");
        assertThat(spec.regionAware()).isTrue();
        assertThat(spec.clusterEnabled()).isTrue();
        assertThat(spec.credentials()).isNull();
    }

    @Test
    void rejectsBadDeclarationsWithAReason() {
        assertThatThrownBy(() -> validator.spec(null, "deribit", null, null, null, null, null, null))
                .isInstanceOf(NovaException.class)
                .hasMessage("name is required");
        assertThatThrownBy(() -> validator.spec("a/b", "deribit", null, null, null, null, null, null))
                .hasMessageContaining("name 'a/b' is invalid");
        assertThatThrownBy(() -> validator.spec("a", null, null, null, null, null, null, null))
                .hasMessageContaining("platform is required");
        assertThatThrownBy(() -> validator.spec("a", "ftx", null, null, null, null, null, null))
                .hasMessageContaining("platform 'ftx' is unknown");
        assertThatThrownBy(() -> validator.spec("a", "deribit", "not a url", null, null, null, null, null))
                .hasMessageContaining("url");
        assertThatThrownBy(() -> validator.spec("a", "deribit", null, null, null, null, "id", null))
                .hasMessageContaining("credentials need both");
    }

    @Test
    void checksChannelsPerPlatformAndDropsDuplicates() {
        assertThat(validator.checkChannels(deribit(), List.of("book.BTC-PERPETUAL.100ms", "book.BTC-PERPETUAL.100ms")))
                .containsExactly("book.BTC-PERPETUAL.100ms");
        assertThatThrownBy(() -> validator.checkChannels(deribit(), List.of())).hasMessageContaining("non-empty");
        assertThatThrownBy(() -> validator.checkChannels(deribit(), null)).hasMessageContaining("non-empty");
        assertThatThrownBy(() -> validator.checkChannels(deribit(), List.of("btcusdt@trade")))
                .hasMessageContaining("not a Deribit channel");
        assertThatThrownBy(() -> validator.checkChannels(deribit(), Arrays.asList("book.BTC-PERPETUAL.100ms", null)))
                .hasMessageContaining("null");
        assertThatThrownBy(() -> validator.checkChannels(deribit(), List.of("user.orders.BTC-PERPETUAL.raw")))
                .hasMessageContaining("private channel");
    }

    @Test
    void credentialsTravelOnlyOverWssOrToLoopbackUnlessAllowedExplicitly() {
        assertThatThrownBy(() -> validator.spec(
                        "d2", "deribit", "ws://exchange.example/ws/api/v2", null, null, null, "id", "s3cr3t-v4lue"))
                .isInstanceOf(NovaException.class)
                .hasMessageContaining("credentials travel only over wss://")
                .hasMessageContaining("nova.connection.allow-insecure-credentials")
                .hasMessageNotContaining("s3cr3t-v4lue");
        assertThatThrownBy(() -> validator.spec(
                        "d2", "deribit", "ws://10.1.2.3:8080/ws/api/v2", null, null, null, "id", "secret"))
                .hasMessageContaining("wss://");
        assertThat(validator.spec("d2", "deribit", "wss://exchange.example/ws/api/v2", null, null, null, "id", "s"))
                .isNotNull();
        assertThat(validator.spec("d2", "deribit", "ws://127.0.0.1:8080/ws/api/v2", null, null, null, "id", "s"))
                .isNotNull();
        assertThat(validator.spec("d2", "deribit", "ws://localhost:8080/ws/api/v2", null, null, null, "id", "s"))
                .isNotNull();
        assertThat(validator.spec("d2", "deribit", "ws://exchange.example/ws/api/v2", null, null, null, null, null))
                .as("no credentials, nothing to protect")
                .isNotNull();
        ClientValidator allowing = new ClientValidator(
                new PlatformCatalog(
                        URI.create("wss://www.deribit.com/ws/api/v2"),
                        URI.create("wss://stream.binance.com:9443/stream"),
                        1024),
                true,
                TestSecrets.box());
        assertThat(allowing.spec("d2", "deribit", "ws://exchange.example/ws/api/v2", null, null, null, "id", "s"))
                .isNotNull();
    }

    @Test
    void aRecordAsMarshalledForTheCachesHoldsTheSecretOnlySealed() throws Exception {
        ClientSpec spec = validator.spec(
                "d3", "deribit", "wss://exchange.example/ws/api/v2", null, null, null, "acct", "s3cr3t-v4lue");
        SerializationContext context = ProtobufUtil.newSerializationContext();
        ModelSchemaImpl schema = new ModelSchemaImpl();
        schema.registerSchema(context);
        schema.registerMarshallers(context);

        byte[] marshalled = ProtobufUtil.toWrappedByteArray(context, ClientRecord.created(spec, "node-a", 1, 1_000L));

        String bytes = new String(marshalled, StandardCharsets.ISO_8859_1);
        assertThat(bytes).contains("acct").contains("nova-sealed:v1:").doesNotContain("s3cr3t-v4lue");
        ClientRecord back = ProtobufUtil.fromWrappedByteArray(context, marshalled);
        assertThat(back.spec()).isEqualTo(spec);
    }

    @Test
    void aNodeWithoutAClusterSecretRefusesCredentialsNamingTheKey() {
        ClientValidator unkeyed = new ClientValidator(
                new PlatformCatalog(
                        URI.create("wss://www.deribit.com/ws/api/v2"),
                        URI.create("wss://stream.binance.com:9443/stream"),
                        1024),
                SecretBox.none());
        assertThatThrownBy(() -> unkeyed.spec(
                        "d4", "deribit", "wss://exchange.example/ws/api/v2", null, null, null, "acct", "pw"))
                .isInstanceOf(NovaException.class)
                .hasMessageContaining("nova.cluster.secret");
        assertThat(unkeyed.spec("d4", "deribit", null, null, null, null, null, null))
                .isNotNull();
    }
}
