package io.swarmsched.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.runtime.config.Settings;
import io.swarmsched.runtime.streams.StreamsProps;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/**
 * The dispatcher's Streams defaults: no task idling and small polls, each still overridable with
 * {@code swarm.streams.<key>}.
 */
class DispatcherStreamsDefaultsTest {
  private static Properties props(Map<String, String> user) {
    Map<String, String> m = new java.util.HashMap<>(user);
    m.put("swarm.bootstrap.servers", "localhost:9092");
    return StreamsProps.base("swarm-dispatcher", Settings.of(m), DispatcherApp.STREAMS_DEFAULTS);
  }

  @Test
  void aTaskDoesNotWaitForItsEmptyInputPartitionsAndPollsStaySmall() {
    Properties p = props(Map.of());
    assertThat(p.getProperty(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG)).isEqualTo("-1");
    assertThat(p.getProperty(StreamsConfig.mainConsumerPrefix("max.poll.records")))
        .isEqualTo("100");
    // what Streams makes of it: idling disabled
    assertThat(new StreamsConfig(p).getLong(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG))
        .isEqualTo(StreamsConfig.MAX_TASK_IDLE_MS_DISABLED);
  }

  @Test
  void theUserCanGiveBackStreamsOwnIdling() {
    Properties p = props(Map.of("swarm.streams.max.task.idle.ms", "0"));
    assertThat(p.getProperty(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG)).isEqualTo("0");
  }
}
