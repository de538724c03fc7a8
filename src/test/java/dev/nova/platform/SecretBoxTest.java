package dev.nova.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nova.NovaException;
import java.util.Base64;
import javax.crypto.SecretKey;
import org.junit.jupiter.api.Test;

class SecretBoxTest {

    private final SecretKey oldKey = TestSecrets.key();
    private final SecretKey newKey = TestSecrets.key();

    @Test
    void aSealedSecretIsCiphertextThatOnlyTheKeyOpens() {
        SecretBox box = SecretBox.of(oldKey, null);
        Credentials sealed = box.seal("acct", "s3cret-value");

        assertThat(sealed.clientId()).isEqualTo("acct");
        assertThat(sealed.clientSecret().value()).startsWith("nova-sealed:v1:").doesNotContain("s3cret-value");
        assertThat(sealed.toString()).doesNotContain("s3cret-value").doesNotContain("nova-sealed");
        assertThat(box.open(sealed)).contains("s3cret-value");
        assertThat(box.state(sealed)).isEqualTo(SecretBox.Seal.CURRENT);
        assertThat(SecretBox.of(newKey, null).open(sealed)).isEmpty();
        assertThat(SecretBox.of(newKey, null).state(sealed)).isEqualTo(SecretBox.Seal.UNREADABLE);
    }

    @Test
    void eachSealingDrawsANewNonceYetTheSameSecretsCompareEqual() {
        SecretBox box = SecretBox.of(oldKey, null);
        Credentials first = box.seal("acct", "pw");
        Credentials second = box.seal("acct", "pw");

        assertThat(first).isNotEqualTo(second);
        assertThat(box.same(first, second)).isTrue();
        assertThat(box.same(first, box.seal("acct", "other"))).isFalse();
        assertThat(box.same(first, box.seal("other-acct", "pw"))).isFalse();
        assertThat(box.same(null, null)).isTrue();
        assertThat(box.same(first, null)).isFalse();
    }

    @Test
    void aSecretMovedToAnotherAccountOrAlteredDoesNotOpen() {
        SecretBox box = SecretBox.of(oldKey, null);
        Credentials sealed = box.seal("acct", "pw");
        Credentials moved = new Credentials("another", sealed.clientSecret());
        assertThat(box.open(moved)).isEmpty();
        assertThat(box.state(moved)).isEqualTo(SecretBox.Seal.UNREADABLE);

        String value = sealed.clientSecret().value();
        int cut = value.lastIndexOf(':') + 1;
        byte[] body = Base64.getDecoder().decode(value.substring(cut));
        body[body.length - 1] ^= 1;
        Credentials altered = new Credentials(
                "acct", new Secret(value.substring(0, cut) + Base64.getEncoder().encodeToString(body)));
        assertThat(box.open(altered)).isEmpty();
        assertThat(box.open(new Credentials("acct", new Secret("clear text")))).isEmpty();
    }

    @Test
    void theNewSecretOpensWhatThePreviousSealedAndSealsItAgain() {
        Credentials underOld = SecretBox.of(oldKey, null).seal("acct", "pw");
        SecretBox rotating = SecretBox.of(newKey, oldKey);

        assertThat(rotating.state(underOld)).isEqualTo(SecretBox.Seal.PREVIOUS);
        Credentials resealed = rotating.reseal(underOld);
        assertThat(rotating.state(resealed)).isEqualTo(SecretBox.Seal.CURRENT);
        assertThat(rotating.reseal(resealed)).isSameAs(resealed);
        assertThat(SecretBox.of(newKey, null).open(resealed)).contains("pw");
        assertThat(SecretBox.of(oldKey, null).open(resealed)).isEmpty();
    }

    @Test
    void aNodeWithoutAClusterSecretKeepsNoCredentials() {
        SecretBox none = SecretBox.none();
        assertThat(none.canSeal()).isFalse();
        assertThatThrownBy(() -> none.seal("acct", "pw"))
                .isInstanceOf(NovaException.class)
                .hasMessageContaining("nova.cluster.secret");
        assertThat(none.open(SecretBox.of(oldKey, null).seal("acct", "pw"))).isEmpty();
    }
}
