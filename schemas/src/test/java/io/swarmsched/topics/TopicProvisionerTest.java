package io.swarmsched.topics;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.testing.EmbeddedKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

class TopicProvisionerTest {
  private final EmbeddedKafka kafka = EmbeddedKafka.get();
  private final Admin admin = kafka.admin();
  private final TopicProvisioner provisioner = new TopicProvisioner(admin);

  @Test
  void provisioningTheCatalogTwiceCreatesNothingTheSecondTime() throws Exception {
    List<TopicProvisioner.Result> first = provisioner.provisionAll();
    assertThat(first)
        .extracting(TopicProvisioner.Result::topic)
        .containsExactlyElementsOf(Topics.ALL.stream().map(Topic::name).toList());
    assertThat(first)
        .allSatisfy(
            r ->
                assertThat(r.status())
                    .isIn(TopicProvisioner.Status.CREATED, TopicProvisioner.Status.EXISTED));

    List<TopicProvisioner.Result> second = provisioner.provisionAll();

    assertThat(second)
        .allSatisfy(
            r ->
                assertThat(r.status()).as(r.toString()).isEqualTo(TopicProvisioner.Status.EXISTED));
    for (Topic topic : Topics.ALL) {
      assertThat(partitions(topic.name())).as(topic.name()).isEqualTo(topic.partitions());
      assertThat(config(topic.name()).get("cleanup.policy").value())
          .as(topic.name())
          .isEqualTo(topic.compacted() ? "compact" : "delete");
    }
  }

  @Test
  void missingTopicsAreCreatedWithTheirPartitionsAndConfigs() throws Exception {
    Topic table =
        new Topic(
            EmbeddedKafka.uniqueName("swarm.prov-table"),
            "id",
            Optional.empty(),
            2,
            true,
            Duration.ZERO);
    Topic events =
        new Topic(
            EmbeddedKafka.uniqueName("swarm.prov-events"),
            "id",
            Optional.empty(),
            3,
            false,
            Duration.ofHours(5));

    List<TopicProvisioner.Result> results = provisioner.provision(List.of(table, events));

    assertThat(results)
        .extracting(TopicProvisioner.Result::status)
        .containsExactly(TopicProvisioner.Status.CREATED, TopicProvisioner.Status.CREATED);
    assertThat(partitions(table.name())).isEqualTo(2);
    assertThat(partitions(events.name())).isEqualTo(3);
    assertThat(config(table.name()).get("cleanup.policy").value()).isEqualTo("compact");
    assertThat(config(events.name()).get("cleanup.policy").value()).isEqualTo("delete");
    assertThat(config(events.name()).get("retention.ms").value())
        .isEqualTo(Long.toString(Duration.ofHours(5).toMillis()));
  }

  @Test
  void anExistingTopicThatDiffersFromTheCatalogIsReportedAndLeftAlone() throws Exception {
    String name = EmbeddedKafka.uniqueName("swarm.prov-mismatch");
    kafka.createTopic(name, 2, Map.of("cleanup.policy", "delete"));
    Topic wanted = new Topic(name, "id", Optional.empty(), 4, true, Duration.ZERO);

    TopicProvisioner.Result result = provisioner.provision(List.of(wanted)).get(0);

    assertThat(result.status()).isEqualTo(TopicProvisioner.Status.MISMATCHED);
    assertThat(result.detail())
        .contains("partitions 2, catalog says 4")
        .contains("cleanup.policy delete, catalog says compact");
    assertThat(partitions(name)).isEqualTo(2);
    assertThat(config(name).get("cleanup.policy").value()).isEqualTo("delete");
  }

  private int partitions(String topic) throws Exception {
    return admin
        .describeTopics(List.of(topic))
        .allTopicNames()
        .get(60, TimeUnit.SECONDS)
        .get(topic)
        .partitions()
        .size();
  }

  private Config config(String topic) throws Exception {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    return admin.describeConfigs(List.of(resource)).all().get(60, TimeUnit.SECONDS).get(resource);
  }
}
