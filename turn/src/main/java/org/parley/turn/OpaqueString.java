package org.parley.turn;

import java.text.Normalizer;

/**
 * The PRECIS OpaqueString profile (RFC 8265 §4.2), which RFC 8489 applies to the password and the
 * realm when it derives the long-term key (§9.2.2), to USERNAME (§14.3) and to USERHASH's inputs
 * (§14.4). Built on the JDK alone: {@link Normalizer} for NFC and {@link Character} for the Unicode
 * general categories and scripts of RFC 8264's derived property rules.
 *
 * <p>Preparation, in RFC 8264 §7's order: width mapping (none for OpaqueString), additional mapping
 * (every non-ASCII space to U+0020), case mapping (none), normalization (NFC), directionality (no
 * rule). Then every code point must be allowed by the FreeformClass (RFC 8264 §4.3) and the result
 * must not be empty.
 *
 * <p>One deliberate strictness: ZERO WIDTH (NON-)JOINER, CONTEXTJ in RFC 5892, are refused, because
 * their context rule needs Unicode combining-class and joining-type data the JDK does not expose.
 */
final class OpaqueString {
    private OpaqueString() {
    }

    /** The prepared form of {@code s}; throws when it contains a code point the profile disallows. */
    static String prepare(String s) {
        StringBuilder mapped = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            // RFC 8265 §4.2.1, additional mapping rule: non-ASCII space -> ASCII space.
            mapped.appendCodePoint(cp != ' ' && Character.getType(cp) == Character.SPACE_SEPARATOR ? ' ' : cp);
        }
        String nfc = Normalizer.normalize(mapped, Normalizer.Form.NFC);
        if (nfc.isEmpty()) {
            // RFC 8265 §4.2.2 / RFC 8264 §9: the prepared string must not be empty.
            throw new IllegalArgumentException("is empty");
        }
        for (int i = 0; i < nfc.length(); ) {
            int cp = nfc.codePointAt(i);
            if (!allowed(nfc, i, cp)) {
                throw new IllegalArgumentException(String.format("contains U+%04X, which RFC 8265 OpaqueString disallows", cp));
            }
            i += Character.charCount(cp);
        }
        return nfc;
    }

    /** True when {@code s} is valid and already in prepared form (what a client must send). */
    static boolean isPrepared(String s) {
        try {
            return prepare(s).equals(s);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** FreeformClass (RFC 8264 §9 derivation order) for the code point {@code cp} at {@code at} in {@code s}. */
    private static boolean allowed(String s, int at, int cp) {
        switch (exception(cp)) {
            case PVALID:
                return true;
            case DISALLOWED:
                return false;
            case CONTEXTO:
                return contextO(s, at, cp);
            default:
                break;
        }
        int type = Character.getType(cp);
        if (type == Character.UNASSIGNED) {
            return false; // Unassigned, which includes the noncharacters (RFC 8264 §9.6)
        }
        if (cp >= 0x21 && cp <= 0x7E) {
            return true; // ASCII7 (§9.11)
        }
        if (cp == 0x200C || cp == 0x200D) {
            return false; // JoinControl, CONTEXTJ (§9.8): refused, see the class comment
        }
        if (isOldHangulJamo(cp) || isDefaultIgnorable(cp)) {
            return false; // OldHangulJamo (§9.9), PrecisIgnorableProperties (§9.13)
        }
        switch (type) {
            case Character.LOWERCASE_LETTER, Character.UPPERCASE_LETTER, Character.OTHER_LETTER,
                    Character.DECIMAL_DIGIT_NUMBER, Character.MODIFIER_LETTER, Character.NON_SPACING_MARK,
                    Character.COMBINING_SPACING_MARK: // LetterDigits (§9.1), PVALID
            case Character.TITLECASE_LETTER, Character.LETTER_NUMBER, Character.OTHER_NUMBER,
                    Character.ENCLOSING_MARK: // OtherLetterDigits (§9.18), FREE_PVAL
            case Character.SPACE_SEPARATOR: // Spaces (§9.14), FREE_PVAL
            case Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL,
                    Character.OTHER_SYMBOL: // Symbols (§9.15), FREE_PVAL
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                    Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION,
                    Character.FINAL_QUOTE_PUNCTUATION, Character.OTHER_PUNCTUATION: // Punctuation (§9.16)
                return true;
            default:
                // Controls (§9.12) and everything in no class: format, private use, surrogates,
                // line and paragraph separators.
                return false;
        }
    }

    private enum ExceptionClass {
        PVALID, CONTEXTO, DISALLOWED, NONE
    }

    /** The Exceptions class (RFC 5892 §2.6), which RFC 8264 §9.7 takes over unchanged. */
    private static ExceptionClass exception(int cp) {
        return switch (cp) {
            case 0x00DF, 0x03C2, 0x06FD, 0x06FE, 0x0F0B, 0x3007 -> ExceptionClass.PVALID;
            case 0x00B7, 0x0375, 0x05F3, 0x05F4, 0x30FB -> ExceptionClass.CONTEXTO;
            case 0x0640, 0x07FA, 0x302E, 0x302F, 0x3031, 0x3032, 0x3033, 0x3034, 0x3035, 0x303B -> ExceptionClass.DISALLOWED;
            default -> (cp >= 0x0660 && cp <= 0x0669) || (cp >= 0x06F0 && cp <= 0x06F9) ? ExceptionClass.CONTEXTO
                    : ExceptionClass.NONE;
        };
    }

    /** The CONTEXTO rules of RFC 5892 Appendix A.3-A.9. */
    private static boolean contextO(String s, int at, int cp) {
        int before = at > 0 ? s.codePointBefore(at) : -1;
        int next = at + Character.charCount(cp);
        int after = next < s.length() ? s.codePointAt(next) : -1;
        switch (cp) {
            case 0x00B7: // MIDDLE DOT: between two 'l' (Catalan l·l)
                return before == 'l' && after == 'l';
            case 0x0375: // GREEK LOWER NUMERAL SIGN: followed by Greek
                return after >= 0 && Character.UnicodeScript.of(after) == Character.UnicodeScript.GREEK;
            case 0x05F3, 0x05F4: // HEBREW GERESH, GERSHAYIM: preceded by Hebrew
                return before >= 0 && Character.UnicodeScript.of(before) == Character.UnicodeScript.HEBREW;
            case 0x30FB: // KATAKANA MIDDLE DOT: the string has Hiragana, Katakana or Han
                return s.codePoints().anyMatch(c -> c != 0x30FB && isJapanese(c));
            default: // Arabic-Indic digits: never mixed with the Extended Arabic-Indic ones
                boolean extended = cp >= 0x06F0;
                return s.codePoints().noneMatch(c -> extended ? c >= 0x0660 && c <= 0x0669 : c >= 0x06F0 && c <= 0x06F9);
        }
    }

    private static boolean isJapanese(int cp) {
        Character.UnicodeScript script = Character.UnicodeScript.of(cp);
        return script == Character.UnicodeScript.HIRAGANA || script == Character.UnicodeScript.KATAKANA
                || script == Character.UnicodeScript.HAN;
    }

    /** Hangul_Syllable_Type L, V or T (RFC 5892 §2.9), the conjoining jamo. */
    private static boolean isOldHangulJamo(int cp) {
        return (cp >= 0x1100 && cp <= 0x11FF) || (cp >= 0xA960 && cp <= 0xA97C) || (cp >= 0xD7B0 && cp <= 0xD7C6)
                || (cp >= 0xD7CB && cp <= 0xD7FB);
    }

    /** Default_Ignorable_Code_Point (Unicode DerivedCoreProperties), which the JDK does not expose. */
    private static boolean isDefaultIgnorable(int cp) {
        return cp == 0x00AD || cp == 0x034F || cp == 0x061C || (cp >= 0x115F && cp <= 0x1160)
                || (cp >= 0x17B4 && cp <= 0x17B5) || (cp >= 0x180B && cp <= 0x180F) || (cp >= 0x200B && cp <= 0x200F)
                || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x206F) || cp == 0x3164
                || (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0xFEFF || cp == 0xFFA0 || (cp >= 0xFFF0 && cp <= 0xFFF8)
                || (cp >= 0x1BCA0 && cp <= 0x1BCA3) || (cp >= 0x1D173 && cp <= 0x1D17A)
                || (cp >= 0xE0000 && cp <= 0xE0FFF);
    }
}
