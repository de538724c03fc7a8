package dev.nova.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * Checks an adapter's scanner fast path against its full Jackson decode on corrupted frames: characters dropped,
 * replaced or inserted, frames cut short. Whatever the fast path makes of a frame, the adapter must answer exactly
 * what Jackson answers.
 */
public final class FastPathCheck {

    private static final String ALPHABET =
            "{}[]\":,\\ \n0123456789.-+eEtrufalsn\u0001\u00e9abcxyz_uABF\u0660\uFF10\uFF21\uD83D";

    /** Hex digits, and characters that other scripts count as digits but JSON does not. */
    private static final String HEX = "09afAFgG\u0660\uFF10\uFF21";

    private FastPathCheck() {}

    /** A {@code \\uXXXX} escape, valid or not. */
    private static String escape(Random random) {
        StringBuilder escape = new StringBuilder("\\u");
        for (int i = 0; i < 4; i++) {
            escape.append(HEX.charAt(random.nextInt(HEX.length())));
        }
        return escape.toString();
    }

    /**
     * Corrupts each frame {@code rounds} times and compares {@code decode} with {@code parse}; returns how many
     * corrupted frames {@code scan} still read (not null, did not give up).
     */
    public static int corruptionsDecodeAsJackson(
            List<String> frames,
            int rounds,
            Function<String, InboundFrame> decode,
            Function<String, InboundFrame> parse,
            Function<String, InboundFrame> scan) {
        Random random = new Random(20261127);
        int fastPathRead = 0;
        for (String original : frames) {
            for (int round = 0; round < rounds; round++) {
                StringBuilder frame = new StringBuilder(original);
                int edits = 1 + random.nextInt(3);
                for (int e = 0; e < edits && frame.length() > 0; e++) {
                    int at = random.nextInt(frame.length());
                    char c = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
                    switch (random.nextInt(5)) {
                        case 0 -> frame.deleteCharAt(at);
                        case 1 -> frame.setCharAt(at, c);
                        case 2 -> frame.insert(at, c);
                        case 3 -> frame.insert(at, escape(random));
                        default -> frame.setLength(at);
                    }
                }
                String mutated = frame.toString();
                assertThat(decode.apply(mutated)).as(mutated).isEqualTo(parse.apply(mutated));
                try {
                    if (scan.apply(mutated) != null) {
                        fastPathRead++;
                    }
                } catch (JsonScanner.GiveUp declined) {
                    // left to Jackson
                }
            }
        }
        return fastPathRead;
    }
}
