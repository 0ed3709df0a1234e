package io.swarmsched.topics;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.registry.client.InMemorySchemaRegistryClient;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class CatalogTest {

  @Test
  void everyTopicIsNamedSwarmNameV1AndNamesAreUnique() {
    assertThat(Topics.ALL)
        .allSatisfy(t -> assertThat(t.name()).matches("swarm\\.[a-z0-9]+(-[a-z0-9]+)*\\.v1"));
    assertThat(Topics.ALL.stream().map(Topic::name).distinct()).hasSameSizeAs(Topics.ALL);
  }

  @Test
  void hostsHostKeysHostScoresAndTaskMetadataAreTheCompactedTopics() {
    Set<Topic> compacted = Topics.ALL.stream().filter(Topic::compacted).collect(Collectors.toSet());
    assertThat(compacted)
        .containsExactlyInAnyOrder(
            Topics.HOSTS, Topics.HOST_KEYS, Topics.HOST_SCORES, Topics.TASK_METADATA);
    assertThat(compacted)
        .allSatisfy(t -> assertThat(t.configs()).containsEntry("cleanup.policy", "compact"));
    assertThat(Topics.ALL)
        .filteredOn(t -> !t.compacted())
        .allSatisfy(
            t -> {
              assertThat(t.configs()).containsEntry("cleanup.policy", "delete");
              assertThat(t.retention()).isPositive();
            });
  }

  @Test
  void everyTopicExceptTheDeadLettersHasAValueSchema() {
    assertThat(Topics.ALL)
        .filteredOn(t -> t != Topics.DEAD_LETTERS)
        .allSatisfy(t -> assertThat(t.valueSchema()).isPresent());
    assertThat(Topics.DEAD_LETTERS.valueSchema()).isEmpty();
    assertThat(Topics.ALL).allSatisfy(t -> assertThat(t.partitions()).isPositive());
  }

  @Test
  void theSchemaCatalogHasOneValueSubjectPerSchemaTopic() {
    Map<String, ?> subjects = SchemaCatalog.valueSubjects();
    assertThat(subjects).hasSize(Topics.ALL.size() - 1);
    assertThat(subjects.keySet())
        .allSatisfy(s -> assertThat(s).endsWith(".v1-value"))
        .contains(Topics.HOSTS.valueSubject())
        .doesNotContain(Topics.DEAD_LETTERS.valueSubject());
    assertThat(SchemaCatalog.valueSubjects().get(Topics.HOST_SCORES.valueSubject()).getName())
        .isEqualTo("HostScore");
  }

  @Test
  void registerAllIsIdempotentAndAcceptedOnTopOfTheReleasedVersions() {
    InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    SchemaCatalog.valueSubjects()
        .forEach(
            (subject, schema) ->
                ReleasedSchemas.of(schema.getName())
                    .forEach(released -> registry.register(subject, released)));

    Map<String, Integer> first = SchemaCatalog.registerAll(registry);
    Map<String, Integer> second = SchemaCatalog.registerAll(registry);

    assertThat(second).isEqualTo(first);
    assertThat(registry.subjects())
        .containsExactlyInAnyOrderElementsOf(SchemaCatalog.valueSubjects().keySet());
    first.forEach((subject, id) -> assertThat(registry.getLatest(subject).id()).isEqualTo(id));
  }
}
