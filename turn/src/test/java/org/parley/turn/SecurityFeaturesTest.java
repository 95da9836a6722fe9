package org.parley.turn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The nonce cookie of RFC 8489 §9.2 as this server writes and reads it. */
class SecurityFeaturesTest {
    @ParameterizedTest
    @CsvSource({
        "true, false, obMatJos2AAAB",
        "true, true, obMatJos2AAAD",
        "false, true, obMatJos2AAAC",
        "false, false, obMatJos2AAAA",
    })
    void theFeatureBitsFollowTheCookieInBase64(boolean algorithms, boolean anonymity, String prefix) {
        String written = new SecurityFeatures(algorithms, anonymity).noncePrefix();
        assertEquals(prefix, written);
        assertEquals(algorithms, SecurityFeatures.announcesPasswordAlgorithms(written + "123.abc"));
    }

    @ParameterizedTest
    @CsvSource({
        "obMatJos2AA==rest", "obMatJos2A===rest", "obMatJos2****rest", "obMatJos2AA", "obmatjos2AAAB",
        "AAAB", "''",
    })
    void malformedCookiesAnnounceNothingAndNeverThrow(String nonce) {
        assertEquals(false, SecurityFeatures.announcesPasswordAlgorithms(nonce));
    }
}
