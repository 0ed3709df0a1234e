package io.swarmsched.dispatcher.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.scheduling.resource.HostCapacity;
import io.swarmsched.scheduling.resource.HostLoad;
import io.swarmsched.scheduling.resource.HostType;
import io.swarmsched.scheduling.resource.HostView;
import io.swarmsched.scheduling.resource.Liveness;
import io.swarmsched.scheduling.resource.ScoreView;
import io.swarmsched.scoring.LoadQuality;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HostIndexTest {
  private static HostView host(String id, HostType type, Liveness liveness, int maxTasks) {
    return new HostView(
        id,
        id + ":4000",
        type,
        "idc",
        "loc",
        null,
        liveness,
        false,
        new HostCapacity(100, 50, maxTasks, 4, 1L << 30, 0),
        HostLoad.IDLE,
        7L,
        false);
  }

  private static ScoreView score(String id, long at) {
    return new ScoreView(id, new LoadQuality(0.5, 0.1, 0.2, 0.3, 10, 0), 100, 1, at);
  }

  @Test
  void onlineSuperSeedsAndWorkersFollowEachHostRecordAndTombstone() {
    HostIndex index = new HostIndex();
    index.putHost("s1", host("s1", HostType.SUPER_SEED, Liveness.ONLINE, 0));
    index.putHost("s2", host("s2", HostType.SUPER_SEED, Liveness.ONLINE, 0));
    index.putHost("n1", host("n1", HostType.NORMAL, Liveness.ONLINE, 2));
    assertThat(index.onlineSeedIds()).containsExactly("s1", "s2");
    assertThat(index.workers()).extracting(HostView::hostId).containsExactly("n1");

    index.putHost("s1", host("s1", HostType.SUPER_SEED, Liveness.OFFLINE, 0));
    index.putHost("n1", host("n1", HostType.NORMAL, Liveness.ONLINE, 0));
    assertThat(index.onlineSeedIds()).containsExactly("s2");
    assertThat(index.workers()).isEmpty();
    assertThat(index.host("s1").liveness()).isEqualTo(Liveness.OFFLINE);

    index.putHost("s2", null);
    assertThat(index.host("s2")).isNull();
    assertThat(index.onlineSeedIds()).isEmpty();
    assertThat(index.hostCount()).isEqualTo(2);
  }

  @Test
  void hostsAreKeptUnquarantinedBecauseQuarantineIsAppliedPerLookup() {
    HostIndex index = new HostIndex();
    index.putHost("h", host("h", HostType.NORMAL, Liveness.ONLINE, 0).withQuarantined(true));
    assertThat(index.host("h").quarantined()).isFalse();
  }

  @Test
  void scoresFollowRecordsAndTombstones() {
    HostIndex index = new HostIndex();
    index.putScore("h", score("h", 1));
    index.putScore("h", score("h", 2));
    assertThat(index.score("h").computedAtMillis()).isEqualTo(2);
    index.putScore("h", null);
    assertThat(index.score("h")).isNull();
    assertThat(index.score(null)).isNull();
  }

  @Test
  void replacingFromAFullScanDropsWhatTheStoreNoLongerHolds() {
    HostIndex index = new HostIndex();
    index.putHost("gone", host("gone", HostType.SUPER_SEED, Liveness.ONLINE, 1));
    index.putScore("gone", score("gone", 1));
    index.replaceHosts(Map.of("kept", host("kept", HostType.SUPER_SEED, Liveness.ONLINE, 1)));
    index.replaceScores(Map.of("kept", score("kept", 3)));
    assertThat(index.host("gone")).isNull();
    assertThat(index.score("gone")).isNull();
    assertThat(index.onlineSeedIds()).containsExactly("kept");
    assertThat(index.workers()).extracting(HostView::hostId).containsExactly("kept");
    assertThat(index.score("kept").computedAtMillis()).isEqualTo(3);
  }

  @Test
  void seedsAndWorkersAreListedInTheStoresKeyOrderWhichIsUtf8ByteOrder() {
    List<String> keys = List.of("b", "a", "\uFF21", "\uD83D\uDE00", "B", "ab", "");
    HostIndex index = new HostIndex();
    for (String k : keys) index.putHost(k, host(k, HostType.SUPER_SEED, Liveness.ONLINE, 1));
    List<String> byBytes = new ArrayList<>(keys);
    byBytes.sort(
        (x, y) ->
            Arrays.compareUnsigned(
                x.getBytes(StandardCharsets.UTF_8), y.getBytes(StandardCharsets.UTF_8)));
    assertThat(index.onlineSeedIds()).containsExactlyElementsOf(byBytes);
    assertThat(index.workers()).extracting(HostView::hostId).containsExactlyElementsOf(byBytes);
  }
}
