package org.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A secret call (docs/e2ee.md): alice ticks "Secret call", bob sees that the call ringing is
 * end-to-end encrypted, and once answered both decode each other's video and audio, every frame
 * having gone through parley.js's SFrame transforms, and both show the lock and the same safety
 * code. Through the relay (the relay forwards ciphertext) and peer to peer.
 */
class E2eeCallIT {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"relay", "p2p"})
    void aSecretCallCarriesEncryptedVideoAndAudioAndBothSeeTheSameSafetyCode(String transport) throws Exception {
        try (ParleyServer server = ParleyServer.start(dir, "-Dparley.signaling.calls.media=" + transport);
                Browser alice = Browser.launch("alice", dir);
                Browser bob = Browser.launch("bob", dir)) {
            E2eePage.secretCall(server, alice, bob, "");
            bob.awaitMediaFlowing("alice's encrypted media at bob (" + transport + ")");
            alice.awaitMediaFlowing("bob's encrypted media at alice (" + transport + ")");
            E2eePage.awaitSameCode("call", alice, bob);
            E2eePage.assertEncrypting(alice);
            E2eePage.assertEncrypting(bob);
            assertEquals(transport, alice.script("return window.parleyApp.call.transport;"));
        }
    }
}
