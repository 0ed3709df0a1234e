package io.swarmsched.bench.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.dispatcher.DispatcherConfig;
import io.swarmsched.dispatcher.topology.DispatcherTopology;
import io.swarmsched.registry.client.MockSchemaRegistry;
import io.swarmsched.topics.Topics;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;

class DispatcherInputsTest {

  @Test
  void theBenchmarksClearEveryTopicTheDispatcherReadsAsAStream() {
    DispatcherConfig config =
        DispatcherConfig.from(
            Map.of(
                DispatcherConfig.SCHEMA_REGISTRY_URL,
                MockSchemaRegistry.MOCK_URL_PREFIX + UUID.randomUUID(),
                DispatcherConfig.APPLICATION_ID,
                "dispatcher-inputs-test"));
    TopologyDescription description = DispatcherTopology.build(config).describe();
    Set<String> streams = new HashSet<>();
    for (TopologyDescription.Subtopology sub : description.subtopologies()) {
      for (TopologyDescription.Node node : sub.nodes()) {
        if (node instanceof TopologyDescription.Source source) {
          streams.addAll(source.topicSet());
        }
      }
    }
    Set<String> tables = new HashSet<>();
    for (TopologyDescription.GlobalStore store : description.globalStores()) {
      tables.addAll(store.source().topicSet());
    }
    // internal topics (repartitions) carry the application id and start empty with a new one
    streams.removeIf(t -> t.startsWith(config.applicationId()));
    assertThat(streams).containsExactlyInAnyOrderElementsOf(DispatcherBench.STREAM_INPUTS);
    assertThat(tables)
        .containsExactlyInAnyOrder(
            Topics.HOSTS.name(), Topics.HOST_SCORES.name(), Topics.HOST_KEYS.name())
        .doesNotContainAnyElementsOf(DispatcherBench.STREAM_INPUTS);
  }
}
