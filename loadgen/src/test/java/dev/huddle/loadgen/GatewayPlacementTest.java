package dev.huddle.loadgen;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** The relay load spreads its peers over every gateway given, and never seats a pair on one gateway. */
class GatewayPlacementTest {

    @Test
    void fourGatewaysEachGetAQuarterAndEveryRoomSpansTwo() {
        assertSpread(1000, 500, 4);
        assertSpread(2000, 1000, 4);
    }

    @Test
    void twoAndThreeGateways() {
        assertSpread(1000, 500, 2);
        assertSpread(999, 333, 3);
    }

    private static void assertSpread(int clients, int rooms, int gateways) {
        int[] perGateway = new int[gateways];
        for (int room = 0; room < rooms; room++) {
            Set<Integer> used = new HashSet<>();
            int seats = 0;
            for (int i = room; i < clients; i += rooms) {
                int g = RelayScenario.gatewayOf(i, clients, rooms, gateways);
                used.add(g);
                perGateway[g]++;
                seats++;
            }
            assertThat("room " + room + " has its peers on distinct gateways", used.size(), is(Math.min(seats, gateways)));
        }
        for (int g = 0; g < gateways; g++) {
            assertThat("gateway " + g + " of " + gateways, perGateway[g], is(clients / gateways));
        }
    }
}
