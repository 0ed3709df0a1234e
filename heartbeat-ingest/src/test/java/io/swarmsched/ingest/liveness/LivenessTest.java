package io.swarmsched.ingest.liveness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swarmsched.ingest.Heartbeats;
import io.swarmsched.schemas.HostHeartbeat;
import io.swarmsched.schemas.HostState;
import io.swarmsched.schemas.Liveness;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LivenessTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private final LivenessPatrol patrol = new LivenessPatrol(LivenessPolicy.defaults());

  private static HostState stateAfter(long sequence, Instant ts) {
    return HostStates.apply(Heartbeats.valid("h1", sequence, ts).build(), null, T0);
  }

  @Test
  void heartbeatsAreOrderedBySequenceThenTimestamp() {
    HostState known = stateAfter(5, T0);
    assertThat(HeartbeatOrder.of(hb(6, T0.minusSeconds(1)), known)).isEqualTo(HeartbeatOrder.NEWER);
    assertThat(HeartbeatOrder.of(hb(5, T0.plusMillis(1)), known)).isEqualTo(HeartbeatOrder.NEWER);
    assertThat(HeartbeatOrder.of(hb(5, T0), known)).isEqualTo(HeartbeatOrder.DUPLICATE);
    assertThat(HeartbeatOrder.of(hb(5, T0.minusMillis(1)), known)).isEqualTo(HeartbeatOrder.STALE);
    assertThat(HeartbeatOrder.of(hb(4, T0), known)).isEqualTo(HeartbeatOrder.STALE);
    assertThat(HeartbeatOrder.of(hb(1, T0), null)).isEqualTo(HeartbeatOrder.NEWER);
  }

  @Test
  void aLowerSequenceWithANewerTimestampIsARestartedAgent() {
    assertThat(HeartbeatOrder.of(hb(0, T0.plusSeconds(3)), stateAfter(900, T0)))
        .isEqualTo(HeartbeatOrder.NEWER);
  }

  @Test
  void silenceMovesOnlineToSuspiciousToOffline() {
    HostState online = stateAfter(1, T0);
    long heard = T0.toEpochMilli();
    assertThat(patrol.check(online, heard, heard + 9_999))
        .isInstanceOf(LivenessPatrol.Unchanged.class);
    var suspicious = (LivenessPatrol.Transition) patrol.check(online, heard, heard + 10_000);
    assertThat(suspicious.state().getLiveness()).isEqualTo(Liveness.SUSPICIOUS);
    assertThat(suspicious.from()).isEqualTo(Liveness.ONLINE);
    assertThat(patrol.check(suspicious.state(), heard, heard + 15_000))
        .isInstanceOf(LivenessPatrol.Unchanged.class);
    var offline =
        (LivenessPatrol.Transition) patrol.check(suspicious.state(), heard, heard + 20_000);
    assertThat(offline.state().getLiveness()).isEqualTo(Liveness.OFFLINE);
    assertThat(offline.state().getLivenessChangedAt())
        .isEqualTo(Instant.ofEpochMilli(heard + 20_000));
  }

  @Test
  void anOfflineHostExpiresAfterTheTtl() {
    HostState offline = HostStates.withLiveness(stateAfter(1, T0), Liveness.OFFLINE, T0);
    long heard = T0.toEpochMilli() - 20_000;
    assertThat(patrol.check(offline, heard, T0.toEpochMilli() + 3_599_999))
        .isInstanceOf(LivenessPatrol.Unchanged.class);
    assertThat(patrol.check(offline, heard, T0.toEpochMilli() + 3_600_000))
        .isInstanceOf(LivenessPatrol.Expire.class);
  }

  @Test
  void aHeartbeatBringsAnOfflineHostBackOnline() {
    HostState offline =
        HostStates.withLiveness(stateAfter(1, T0), Liveness.OFFLINE, T0.plusSeconds(20));
    HostState back = HostStates.apply(hb(2, T0.plusSeconds(30)), offline, T0.plusSeconds(31));
    assertThat(back.getLiveness()).isEqualTo(Liveness.ONLINE);
    assertThat(back.getLivenessChangedAt()).isEqualTo(T0.plusSeconds(31));
    assertThat(back.getFirstSeen()).isEqualTo(T0);
  }

  @Test
  void policyRefusesOfflineBeforeSuspicious() {
    assertThatThrownBy(
            () ->
                new LivenessPolicy(
                    Duration.ofSeconds(20), Duration.ofSeconds(10), Duration.ofHours(1)))
        .hasMessageContaining("offlineAfter");
  }

  private static HostHeartbeat hb(long sequence, Instant ts) {
    return Heartbeats.valid("h1", sequence, ts).build();
  }
}
