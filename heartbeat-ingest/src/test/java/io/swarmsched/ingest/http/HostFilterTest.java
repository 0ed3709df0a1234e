package io.swarmsched.ingest.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swarmsched.ingest.Heartbeats;
import io.swarmsched.ingest.liveness.HostStates;
import io.swarmsched.schemas.HostState;
import io.swarmsched.schemas.Liveness;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HostFilterTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private final HostState host = HostStates.apply(Heartbeats.valid("h1", 1, T0).build(), null, T0);

  private static HostFilter filter(String liveness, String tag, String idc) {
    return HostFilter.fromQuery(
        Map.of(
            "liveness",
            Optional.ofNullable(liveness),
            "tag",
            Optional.ofNullable(tag),
            "idc",
            Optional.ofNullable(idc)));
  }

  @Test
  void absentFiltersMatchEverything() {
    assertThat(filter(null, null, "").matches(host)).isTrue();
  }

  @Test
  void livenessIsMatchedIgnoringCase() {
    assertThat(filter("online", null, null).matches(host)).isTrue();
    assertThat(filter("OFFLINE", null, null).matches(host)).isFalse();
    assertThat(
            filter("OFFLINE", null, null)
                .matches(HostStates.withLiveness(host, Liveness.OFFLINE, T0)))
        .isTrue();
  }

  @Test
  void tagMustBeOneOfTheHostsTags() {
    assertThat(filter(null, "gpu", null).matches(host)).isTrue();
    assertThat(filter(null, "tpu", null).matches(host)).isFalse();
  }

  @Test
  void idcIsComparedIgnoringCase() {
    assertThat(filter(null, null, "IDC-A").matches(host)).isTrue();
    assertThat(filter(null, null, "idc-b").matches(host)).isFalse();
  }

  @Test
  void anUnknownLivenessNamesTheParameter() {
    assertThatThrownBy(() -> filter("sleepy", null, null))
        .hasMessageStartingWith("liveness: 'sleepy' is not one of");
  }
}
