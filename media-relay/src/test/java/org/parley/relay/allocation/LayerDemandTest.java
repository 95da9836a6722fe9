package org.parley.relay.allocation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class LayerDemandTest {

    private final LayerDemand<String> demand = new LayerDemand<>();

    @Test
    void thePublisherIsToldOnlyWhenWhatIsNeededChanges() {
        assertNull(demand.update("cam", 3, 2), "every layer needed: as the publisher starts");
        assertEquals(List.of(true, true, false), demand.update("cam", 3, 1));
        assertNull(demand.update("cam", 3, 1), "nothing changed");
        assertEquals(List.of(true, false, false), demand.update("cam", 3, -1),
                "nobody receives it: the lowest layer stays, ready for a newcomer");
        assertEquals(List.of(true, true, true), demand.update("cam", 3, 2), "needed again");
    }

    @Test
    void aOneLayerSourceIsNeverSuspended() {
        assertNull(demand.update("screen", 1, -1));
    }

    @Test
    void aSourceForgottenStartsAgainFromEveryLayerOn() {
        demand.update("cam", 3, 0);
        demand.retain(List.of());
        assertNull(demand.update("cam", 3, 2));
    }
}
