package io.parley.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which members of a group stay offline ({@code offline.fraction}), and the settings' checks. */
class OfflineTest {

    private static List<Integer> offlinePositions(double fraction, int groupSize) {
        int k = Offline.perGroup(fraction, groupSize);
        List<Integer> out = new ArrayList<>();
        for (int j = 0; j < groupSize; j++) {
            if (Offline.isOffline(j, groupSize, k)) {
                out.add(j);
            }
        }
        return out;
    }

    @Test
    void half_ofAGroupOfTen_isEverySecondMember_andTheCreatorIsOnline() {
        assertThat(offlinePositions(0.5, 10)).containsExactly(1, 3, 5, 7, 9);
    }

    @Test
    void zero_takesNobodyOffline() {
        assertThat(offlinePositions(0, 10)).isEmpty();
        assertThat(offlinePositions(0, 2)).isEmpty();
    }

    @Test
    void aFraction_isRoundedToWholeMembers_spreadOverTheGroup() {
        assertThat(offlinePositions(0.3, 10)).containsExactly(3, 6, 9);
        assertThat(offlinePositions(0.25, 10)).hasSize(3); // 2.5 rounds up
        assertThat(offlinePositions(0.9, 10)).hasSize(9).doesNotContain(0);
        assertThat(offlinePositions(0.5, 2)).containsExactly(1);
        assertThat(offlinePositions(0.5, 7)).containsExactly(1, 3, 5, 6);
    }

    @Test
    void aFractionThatLeavesNobodyOnline_orOutsideZeroToOne_isRefused() {
        assertThatThrownBy(() -> Offline.perGroup(0.96, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0.96")
                .hasMessageContaining("no member of a group of 10 online");
        assertThatThrownBy(() -> Offline.perGroup(1, 10)).hasMessageContaining("below 1, was 1.0");
        assertThatThrownBy(() -> Offline.perGroup(-0.1, 10)).hasMessageContaining("was -0.1");
        assertThatThrownBy(() -> Offline.perGroup(Double.NaN, 10)).hasMessageContaining("was NaN");
    }

    @Test
    void settings_areReadAndChecked() throws Exception {
        BenchConfig c = BenchConfig.load(null, "offline.fraction=0.5", "offline.push.devices=true");
        assertThat(c.offlineFraction()).isEqualTo(0.5);
        assertThat(c.offlinePushDevices()).isTrue();
        assertThat(c.offlinePerGroup()).isEqualTo(5);
        assertThat(BenchConfig.load(null).offlinePerGroup()).isZero();
        assertThatThrownBy(() -> BenchConfig.load(null, "offline.push.devices=true"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("offline.push.devices=true needs offline users");
        assertThatThrownBy(() -> BenchConfig.load(null, "offline.fraction=2"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was 2.0");
    }

    @Test
    void theOfflineScenario_isTheCapacityScenarioWithHalfOfflineAndPushDevices() throws Exception {
        BenchConfig capacity = BenchConfig.load(Path.of("scenarios/capacity.properties"));
        BenchConfig offline = BenchConfig.load(Path.of("scenarios/capacity-offline.properties"));
        assertThat(offline.offlineFraction()).isEqualTo(0.5);
        assertThat(offline.offlinePushDevices()).isTrue();
        assertThat(offline.users()).isEqualTo(capacity.users());
        assertThat(offline.groupSize()).isEqualTo(capacity.groupSize());
        assertThat(offline.ratePerUser()).isEqualTo(capacity.ratePerUser());
        assertThat(offline.serverOptions()).isEqualTo(capacity.serverOptions());
        assertThat(offline.durationSeconds()).isEqualTo(capacity.durationSeconds());
    }
}
