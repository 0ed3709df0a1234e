package io.swarmsched.scheduling.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.scheduling.resource.HostCapacity;
import io.swarmsched.scheduling.resource.HostLoad;
import io.swarmsched.scheduling.resource.HostType;
import io.swarmsched.scheduling.resource.HostView;
import io.swarmsched.scheduling.resource.Liveness;
import io.swarmsched.scheduling.retry.ExponentialBackoff;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JobRulesTest {

  private static HostView worker(String id, int max, int reported, long lastSeen, Liveness l) {
    return new HostView(
        id,
        id + ":1",
        HostType.NORMAL,
        "",
        "",
        Set.of(),
        l,
        false,
        new HostCapacity(0, 0, max, 0, 0, 0),
        new HostLoad(0, 0, reported),
        lastSeen,
        false);
  }

  @Test
  void runningIsWhatThePoolHoldsOrMoreWhenANewerHeartbeatSaysSo() {
    HostView w = worker("w", 4, 3, 1_000, Liveness.ONLINE);
    assertThat(JobRules.running(w, 1, 0)).isEqualTo(3); // heartbeat newer than any release
    assertThat(JobRules.running(w, 4, 0)).isEqualTo(4); // held jobs not yet in the heartbeat
    assertThat(JobRules.running(w, 1, 1_000)).isEqualTo(1); // heartbeat older than a release
  }

  @Test
  void aFreeSlotNeedsAnOnlineWorkerBelowItsLimit() {
    assertThat(JobRules.hasFreeSlot(worker("w", 2, 0, 0, Liveness.ONLINE), 1, 0)).isTrue();
    assertThat(JobRules.hasFreeSlot(worker("w", 2, 0, 0, Liveness.ONLINE), 2, 0)).isFalse();
    assertThat(JobRules.hasFreeSlot(worker("w", 2, 0, 0, Liveness.SUSPICIOUS), 0, 0)).isFalse();
    assertThat(JobRules.hasFreeSlot(worker("w", 0, 0, 0, Liveness.ONLINE), 0, 0)).isFalse();
  }

  @Test
  void placementComparesTheSameRunningCountWithMaxTasks() {
    HostView busy = worker("a", 2, 0, 5, Liveness.ONLINE);
    HostView idle = worker("b", 2, 0, 5, Liveness.ONLINE);
    Map<String, HostView> hosts = Map.of("a", busy, "b", idle);
    Map<String, Integer> held = Map.of("a", 2);
    Placement p =
        new WorkerPlacement()
            .place(
                JobRequirements.NONE,
                hosts.values(),
                JobRules.placementCounts(hosts::get, h -> held.getOrDefault(h, 0), h -> 0L),
                new PerformanceHistory());
    assertThat(p.hostId()).contains("b");
    assertThat(p.rejections())
        .singleElement()
        .satisfies(r -> assertThat(r.hostId()).isEqualTo("a"));
  }

  @Test
  void backoffDoublesFromTwoSecondsUpToAMinuteAndOnlyTimeoutFailuresRetry() {
    ExponentialBackoff b = JobRules.backoff(2_000, 60_000, 3);
    assertThat(b.delayMillis("job", 1)).isEqualTo(2_000);
    assertThat(b.delayMillis("job", 2)).isEqualTo(4_000);
    assertThat(b.delayMillis("job", 10)).isEqualTo(60_000);
    assertThat(JobRules.mayRetry(2, 3)).isTrue();
    assertThat(JobRules.mayRetry(3, 3)).isFalse();
    assertThat(JobRules.retryableFailure("TIMEOUT after 5s")).isTrue();
    assertThat(JobRules.retryableFailure("exit 1")).isFalse();
    assertThat(JobRules.retryableFailure("WORKER_FULL: 4 of 4 slots busy")).isTrue();
    assertThat(JobRules.retryableFailure("AGENT_STOPPED")).isTrue();
    assertThat(JobRules.retryableFailure("exit code 3: TIMEOUT in the job's own log")).isFalse();
    assertThat(JobRules.retryableFailure(null)).isFalse();
    assertThat(JobState.RUNNING.holdsSlot()).isTrue();
    assertThat(JobState.RETRY_WAIT.holdsSlot()).isFalse();
    assertThat(JobState.CANCELLED.terminal()).isTrue();
  }
}
