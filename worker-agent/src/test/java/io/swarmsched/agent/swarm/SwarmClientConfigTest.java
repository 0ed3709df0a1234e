package io.swarmsched.agent.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;

class SwarmClientConfigTest {

  @Test
  void decisionsAreReadCommittedSoAnAbortedDecisionIsNeverActedOn() {
    Map<String, Object> c =
        SwarmClient.decisionConsumerConfig(Map.of("bootstrap.servers", "localhost:9092"), "h1");
    assertThat(c)
        .containsEntry(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
        .containsEntry(ConsumerConfig.GROUP_ID_CONFIG, "swarm-agent-h1")
        .containsEntry("bootstrap.servers", "localhost:9092");
  }
}
