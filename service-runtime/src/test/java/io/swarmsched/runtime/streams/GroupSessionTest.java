package io.swarmsched.runtime.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.runtime.config.CommonKeys;
import io.swarmsched.runtime.config.Settings;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroupSessionTest {
  @TempDir Path stateDir;

  private Properties base(Map<String, String> extra) {
    Map<String, String> values =
        new java.util.HashMap<>(
            Map.of(
                CommonKeys.BOOTSTRAP_SERVERS, "broker:9092",
                CommonKeys.STATE_DIR, stateDir.toString(),
                CommonKeys.INSTANCE_ID, "i1"));
    values.putAll(extra);
    return StreamsProps.base("app", Settings.of(values));
  }

  @Test
  void theSessionIsTheBrokersMinimumButNotBelowTheFloor() {
    assertThat(GroupSession.choose(OptionalInt.of(4000), 6000)).isEqualTo(4000);
    assertThat(GroupSession.choose(OptionalInt.of(1000), 6000)).isEqualTo(GroupSession.FLOOR_MS);
    assertThat(GroupSession.choose(OptionalInt.of(6000), 6000)).isEqualTo(6000);
    assertThat(GroupSession.choose(OptionalInt.of(10000), 6000)).isEqualTo(10000);
    // brokers not asked: the safe default every broker accepts
    assertThat(GroupSession.choose(OptionalInt.empty(), 6000)).isEqualTo(6000);
  }

  @Test
  void baseMarksTheSessionAsOursUnlessTheUserSetIt() {
    Properties defaults = base(Map.of());
    assertThat(defaults)
        .containsEntry(GroupSession.AUTO_KEY, "true")
        .containsEntry(GroupSession.HEARTBEAT_USER_KEY, "false")
        .containsEntry("session.timeout.ms", "6000");

    assertThat(base(Map.of("swarm.streams.session.timeout.ms", "9000")))
        .doesNotContainKey(GroupSession.AUTO_KEY)
        .containsEntry("session.timeout.ms", "9000");
    assertThat(base(Map.of("swarm.streams.main.consumer.session.timeout.ms", "9000")))
        .doesNotContainKey(GroupSession.AUTO_KEY);
    assertThat(base(Map.of("swarm.streams.heartbeat.interval.ms", "700")))
        .containsEntry(GroupSession.AUTO_KEY, "true")
        .containsEntry(GroupSession.HEARTBEAT_USER_KEY, "true");
  }

  @Test
  void propertiesWithoutTheMarkerAreLeftAlone() {
    Properties props = base(Map.of("swarm.streams.session.timeout.ms", "9000"));
    Properties before = (Properties) props.clone();
    GroupSession.resolve(props, "app");
    assertThat(props).isEqualTo(before);
  }
}
