package io.swarmsched.dispatcher.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.runtime.auth.HostKeyPair;
import io.swarmsched.schemas.HostKey;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** {@code POST /api/v1/schedule} naming a bound host: who may (issue 18). */
class ScheduleRefusalTest {
  @Test
  void anUnboundHostMayBeNamedByAnyone() {
    assertThat(DispatcherHttp.refusal("h1", null, "anonymous")).isNull();
  }

  @Test
  void aKeyBoundHostMayNotBeNamedOverHttp() {
    HostKeyPair key = HostKeyPair.generate();
    HostKey binding =
        HostKey.newBuilder()
            .setHostId("h1")
            .setPublicKey(ByteBuffer.wrap(key.publicKey()))
            .setBoundAt(Instant.EPOCH)
            .build();
    assertThat(DispatcherHttp.refusal("h1", binding, "team-a"))
        .isEqualTo(
            "host 'h1' is bound to key "
                + key.keyId()
                + ": only its agent's signed requests (over Kafka) are accepted");
  }

  @Test
  void aPrincipalBoundHostMayBeNamedOnlyByItsPrincipal() {
    HostKey binding =
        HostKey.newBuilder()
            .setHostId("w1")
            .setPrincipal("team-a")
            .setBoundAt(Instant.EPOCH)
            .build();
    assertThat(DispatcherHttp.refusal("w1", binding, "team-a")).isNull();
    assertThat(DispatcherHttp.refusal("w1", binding, "anonymous"))
        .isEqualTo("host 'w1' is bound to principal 'team-a'; this request comes from 'anonymous'");
  }
}
