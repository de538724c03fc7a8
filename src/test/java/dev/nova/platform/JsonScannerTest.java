package dev.nova.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * The scanner on its own (the adapters' tests check it against Jackson on whole frames): strings are where most of a
 * frame's characters are, so each case puts the character of interest at every position of strings of many lengths.
 */
class JsonScannerTest {

    private static String as(int length) {
        return "a".repeat(length);
    }

    @Test
    void aStringEndsAtItsQuoteWhereverItFallsAndKeepsAnyOtherCharacter() {
        // é is one byte of ISO-8859-1 with the high bit set; Ģ (U+0122) is beyond it, and its low byte is a quote.
        for (char other : new char[] {'\u00e9', '\u0122', '\u00ff', '?', '\u007f'}) {
            for (int length = 0; length <= 40; length++) {
                for (int at = 0; at <= length; at++) {
                    String content = as(at) + other + as(length - at);
                    JsonScanner scanner = new JsonScanner("\"" + content + "\" ");
                    assertThat(scanner.plainString()).as(content).isEqualTo(content);
                    scanner.end();
                }
            }
        }
    }

    @Test
    void aControlCharacterOrAnUnfinishedStringAnywhereIsGivenUp() {
        for (int length = 0; length <= 40; length++) {
            for (int at = 0; at <= length; at++) {
                String content = as(at) + '\u001f' + as(length - at);
                assertThatThrownBy(() -> new JsonScanner("\"" + content + "\"").skipValue())
                        .as(content)
                        .isSameAs(JsonScanner.GIVE_UP);
                assertThatThrownBy(() -> new JsonScanner("\"" + content + "\"").plainString())
                        .isSameAs(JsonScanner.GIVE_UP);
            }
            String unfinished = "\"" + as(length);
            assertThatThrownBy(() -> new JsonScanner(unfinished).skipValue()).isSameAs(JsonScanner.GIVE_UP);
            assertThatThrownBy(() -> new JsonScanner(unfinished).plainString()).isSameAs(JsonScanner.GIVE_UP);
        }
    }

    @Test
    void escapesAreSkippedWhereverTheyFallAndDeclinedByThePlainRead() {
        for (String escape : new String[] {"\\\"", "\\\\", "\\n", "\\u00e9", "\\/"}) {
            for (int length = 0; length <= 40; length++) {
                for (int at = 0; at <= length; at++) {
                    String text = "\"" + as(at) + escape + as(length - at) + "\"";
                    JsonScanner scanner = new JsonScanner(text + ",1");
                    scanner.skipValue();
                    assertThat(scanner.position()).as(text).isEqualTo(text.length());
                    assertThatThrownBy(() -> new JsonScanner(text).plainString())
                            .isSameAs(JsonScanner.GIVE_UP);
                }
            }
        }
        for (String invalid : new String[] {"\\x", "\\u00g0", "\\u12", "\\"}) {
            String text = "\"" + as(9) + invalid + "\"";
            assertThatThrownBy(() -> new JsonScanner(text).skipValue()).as(text).isSameAs(JsonScanner.GIVE_UP);
        }
    }

    @Test
    void keysAreFoundWhereverTheirQuoteFalls() {
        for (int length = 1; length <= 30; length++) {
            String name = as(length);
            JsonScanner scanner = new JsonScanner("{\"" + name + "\":1,\"b\":2}");
            scanner.expect('{');
            assertThat(scanner.firstField()).isTrue();
            assertThat(scanner.keyIs(name)).isTrue();
            assertThat(scanner.integer()).isEqualTo(1);
            assertThat(scanner.nextField()).isTrue();
            assertThat(scanner.keyIs("b")).isTrue();
        }
    }

    @Test
    void charactersBeyondTheBasicPlaneAndLoneSurrogatesAreStringContent() {
        for (String other : new String[] {"\uD83D\uDE00", "\uD83D", "\uDE00"}) {
            String content = as(9) + other + as(9);
            JsonScanner scanner = new JsonScanner("[\"" + content + "\"]");
            scanner.expect('[');
            assertThat(scanner.plainString()).isEqualTo(content);
            assertThat(scanner.nextElement()).isFalse();
            scanner.end();
        }
    }
}
