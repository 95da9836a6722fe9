package org.parley.signaling.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.parley.relay.client.e2ee.FrameDecryptor;
import org.parley.relay.client.e2ee.FrameEncryptor;
import org.parley.relay.client.e2ee.IdentityKeys;
import org.parley.relay.client.e2ee.KeyWrap;
import org.parley.relay.client.e2ee.SafetyCode;
import org.parley.relay.client.e2ee.SenderKey;

/**
 * One device's end-to-end encryption in a room (docs/e2ee.md), for Java clients: its identity
 * key for {@code room.join}, its sender key sent wrapped to every other participant with
 * {@code e2ee.key}, the others' keys received the same way, and the rekeying rules: when someone
 * leaves, a new key at once (they must not read what follows); when someone joins, a new key that
 * the joiner gets too, used from {@link #SWITCH_DELAY} on so that it arrives first (the joiner
 * never gets an older key). The app hands it the room's events and gives {@link #encryptor()} to
 * its media sender and {@link #decryptor()} to its receiver.
 */
public final class E2eeRoomMember {

    /** How long after a join the new key is used: time for the joiner to receive it. */
    public static final Duration SWITCH_DELAY = Duration.ofMillis(300);

    private final SignalingClient signaling;
    private final String roomId;
    private final IdentityKeys identity;
    private final Clock clock;
    private final FrameEncryptor encryptor;
    private final FrameDecryptor decryptor;
    /** Identity keys (raw points) of the other participants, by participant id. */
    private final Map<String, byte[]> others = new ConcurrentHashMap<>();
    private final AtomicLong keyErrors = new AtomicLong();

    public E2eeRoomMember(SignalingClient signaling, String roomId, IdentityKeys identity, Clock clock) {
        this.signaling = signaling;
        this.roomId = roomId;
        this.identity = identity;
        this.clock = clock;
        this.encryptor = new FrameEncryptor(clock);
        this.decryptor = new FrameDecryptor(clock);
    }

    /** The {@code e2ee} field of {@code room.join}. */
    public Map<String, String> joinField() {
        return Map.of("identityKey", identity.publicKey());
    }

    /** After the {@code room.join} result: learns the others' keys and sends them a first sender key. */
    public void joined(JsonNode result) {
        for (JsonNode p : result.path("participants")) {
            learn(p);
        }
        SenderKey key = FrameEncryptor.newKey();
        encryptor.use(key);
        sendToOthers(key);
    }

    /** Handles a room event; true when it concerned end-to-end encryption (membership or a key). */
    public boolean onEvent(JsonNode e) {
        if (!roomId.equals(e.path("roomId").asText())) {
            return false;
        }
        switch (e.path("type").asText()) {
            case "room.participant_joined" -> {
                learn(e.path("participant"));
                SenderKey key = FrameEncryptor.newKey();
                sendToOthers(key);
                encryptor.useFrom(key, clock.instant().plus(SWITCH_DELAY));
                return true;
            }
            case "room.participant_left" -> {
                if (others.remove(e.path("participantId").asText()) == null) {
                    return true;
                }
                SenderKey key = FrameEncryptor.newKey();
                encryptor.use(key);
                sendToOthers(key);
                return true;
            }
            case "e2ee.key" -> {
                String from = e.path("from").asText();
                byte[] sender = others.get(from);
                try {
                    if (sender == null) {
                        throw new IllegalArgumentException("key from unknown participant " + from);
                    }
                    KeyWrap.Unwrapped k = KeyWrap.unwrap(identity, sender, roomId, e.path("payload").asText());
                    decryptor.add(from, k.kid(), k.baseKey());
                } catch (IllegalArgumentException bad) {
                    keyErrors.incrementAndGet();
                }
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    private void learn(JsonNode participant) {
        String key = participant.path("identityKey").asText(null);
        if (key != null) {
            others.put(participant.path("participantId").asText(), IdentityKeys.point(key));
        }
    }

    private void sendToOthers(SenderKey key) {
        others.forEach((id, point) -> signaling.send("e2ee.key", "roomId", roomId, "to", id,
                "payload", KeyWrap.wrap(identity, point, roomId, key))
                .whenComplete((reply, error) -> {
                    if (error != null) {
                        keyErrors.incrementAndGet();
                    }
                }));
    }

    public FrameEncryptor encryptor() {
        return encryptor;
    }

    public FrameDecryptor decryptor() {
        return decryptor;
    }

    /** Key messages refused by the server or that did not open (must stay 0). */
    public long keyErrors() {
        return keyErrors.get();
    }

    /** The safety code over this device's and every other participant's identity key. */
    public String safetyCode() {
        List<byte[]> all = new ArrayList<>(others.values());
        all.add(identity.publicPoint());
        return SafetyCode.of(all);
    }
}
