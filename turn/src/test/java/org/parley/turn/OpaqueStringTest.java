package org.parley.turn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** RFC 8265 §4.2 OpaqueString preparation and where the configuration applies it. */
class OpaqueStringTest {
    /** Rows: input, its prepared form or "!" when the profile rejects it, and why. */
    @ParameterizedTest(name = "{2}")
    @CsvSource(delimiter = '|', value = {
        "alice                          | alice                    | ASCII stays as it is",
        "Alice                          | Alice                    | no case mapping",
        "correct horse                  | correct horse            | ASCII space is allowed",
        "open\\u00a0sesame              | open sesame              | no-break space becomes a space",
        "a\\u3000b                      | a b                      | ideographic space becomes a space",
        "zoe\\u0308                     | zo\\u00eb                | NFC composes",
        "\\uff21\\uff22                 | \\uff21\\uff22           | no width mapping (fullwidth stays)",
        "\\u2168                        | \\u2168                  | NFC, not NFKC: roman numeral nine stays",
        "stra\\u00dfe                   | stra\\u00dfe             | sharp s is PVALID by exception",
        "\\u30de\\u30c8\\u30ea\\u30c3\\u30af\\u30b9 | \\u30de\\u30c8\\u30ea\\u30c3\\u30af\\u30b9 | RFC 8489 B.1 username unchanged",
        "l\\u00b7l                      | l\\u00b7l                | middle dot between two l (RFC 5892 A.3)",
        "\\u30ab\\u30fb\\u30ab          | \\u30ab\\u30fb\\u30ab    | katakana middle dot with katakana (A.7)",
        "\\u05d0\\u05f3                 | \\u05d0\\u05f3           | geresh after Hebrew (A.5)",
        "p\\u00e4ss\\u20ac\\u263a!      | p\\u00e4ss\\u20ac\\u263a! | letters, symbols, punctuation",
        "\\ud83d\\ude00                 | \\ud83d\\ude00           | emoji (So) is FREE_PVAL",
        "                               | !                        | empty",
        "a\\u0007b                      | !                        | control character BEL",
        "a\\tb                          | !                        | tab is a control",
        "The\\u00adMatrix               | !                        | soft hyphen is default-ignorable (B.1's password needs SASLprep)",
        "a\\u200bb                      | !                        | zero width space is default-ignorable",
        "a\\u200db                      | !                        | zero width joiner (CONTEXTJ, refused)",
        "a\\ufeffb                      | !                        | byte order mark",
        "a\\u202eb                      | !                        | right-to-left override",
        "a\\ue000b                      | !                        | private use",
        "a\\ufdd0b                      | !                        | noncharacter",
        "a\\u0378b                      | !                        | unassigned",
        "a\\u2028b                      | !                        | line separator",
        "a\\ud800b                      | !                        | lone surrogate",
        "a\\u1100b                      | !                        | old Hangul jamo",
        "a\\u0640b                      | !                        | Arabic tatweel, disallowed by exception",
        "a\\u00b7b                      | !                        | middle dot not between two l",
        "\\u30fbabc                     | !                        | katakana middle dot without Japanese",
        "\\u0660\\u06f0                 | !                        | Arabic-Indic digits mixed with extended ones",
    })
    void preparesOrRejects(String input, String prepared, String why) {
        String s = input == null ? "" : unescape(input);
        if (prepared.equals("!")) {
            assertThrows(IllegalArgumentException.class, () -> OpaqueString.prepare(s), why);
            assertFalse(OpaqueString.isPrepared(s), why);
        } else {
            assertEquals(unescape(prepared), OpaqueString.prepare(s), why);
        }
    }

    @Test
    void preparationIsIdempotent() {
        String once = OpaqueString.prepare("zoe\u0308\u00a0x");
        assertEquals(once, OpaqueString.prepare(once));
        assertTrue(OpaqueString.isPrepared(once));
    }

    @Test
    void theConfigurationPreparesUsersAndRealmAndNamesTheKeyOfABadOne() {
        TurnConfig config = TestServers.config(Map.of("parley.turn.user", List.of("zoe\u0308:a\u00a0b"),
                "parley.turn.realm", "ex\u2003ample"));
        assertEquals(Map.of("zo\u00eb", "a b"), config.users());
        assertEquals("ex ample", config.realm());

        ConfigException badPassword = assertThrows(ConfigException.class,
                () -> TestServers.config(Map.of("parley.turn.user", List.of("bob:se\u0000cret"))));
        assertTrue(badPassword.getMessage().contains("parley.turn.user"), badPassword.getMessage());
        assertFalse(badPassword.getMessage().contains("se\u0000cret"), "the password is not echoed");
        ConfigException twice = assertThrows(ConfigException.class, () -> TestServers.config(
                Map.of("parley.turn.user", List.of("zo\u00eb:a", "zoe\u0308:b"))));
        assertTrue(twice.getMessage().contains("twice"), twice.getMessage());
        ConfigException badRealm = assertThrows(ConfigException.class,
                () -> TestServers.config(Map.of("parley.turn.realm", "re\u200balm")));
        assertTrue(badRealm.getMessage().contains("parley.turn.realm"), badRealm.getMessage());
    }

    /** Turns the {@code \\uXXXX} and {@code \\t} escapes of the tables into characters. */
    private static String unescape(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '\\' && i + 1 < s.length() && s.charAt(i + 1) == 'u') {
                out.append((char) Integer.parseInt(s.substring(i + 2, i + 6), 16));
                i += 5;
            } else if (ch == '\\' && i + 1 < s.length() && s.charAt(i + 1) == 't') {
                out.append('\t');
                i++;
            } else {
                out.append(ch);
            }
        }
        return out.toString();
    }
}
