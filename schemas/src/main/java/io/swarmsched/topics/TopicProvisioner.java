package io.swarmsched.topics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the catalog's topics that are missing, with their partitions and configs, and leaves
 * existing ones alone (it never alters or deletes a topic). Idempotent: a second run creates
 * nothing. It reports, per topic, what it did; an existing topic whose partition count or cleanup
 * policy differs from the catalog is reported as {@link Status#MISMATCHED} so an operator can act.
 */
public final class TopicProvisioner {
  private static final Logger log = LoggerFactory.getLogger(TopicProvisioner.class);

  /** What happened to one topic. */
  public enum Status {
    CREATED,
    EXISTED,
    MISMATCHED
  }

  /**
   * @param topic the topic name
   * @param status what the provisioner did or found
   * @param detail human-readable detail (the mismatch, or the partitions and configs created)
   */
  public record Result(String topic, Status status, String detail) {
    @Override
    public String toString() {
      return String.format("%-11s %s (%s)", status, topic, detail);
    }
  }

  private final Admin admin;
  private final Optional<Short> replicationFactor;
  private final Duration timeout;

  /** Uses the brokers' default replication factor and a 60 s timeout per admin call. */
  public TopicProvisioner(Admin admin) {
    this(admin, Optional.empty(), Duration.ofSeconds(60));
  }

  public TopicProvisioner(Admin admin, Optional<Short> replicationFactor, Duration timeout) {
    this.admin = admin;
    this.replicationFactor = replicationFactor;
    this.timeout = timeout;
  }

  /** Provisions every topic of {@link Topics#ALL}. */
  public List<Result> provisionAll() {
    return provision(Topics.ALL);
  }

  /** Provisions {@code topics}, returning one result per topic in the same order. */
  public List<Result> provision(Collection<Topic> topics) {
    Set<String> existing = await(admin.listTopics().names(), "list topics");
    Map<String, Result> results = new LinkedHashMap<>();
    List<Topic> missing = new ArrayList<>();
    for (Topic topic : topics) {
      results.put(topic.name(), null);
      if (!existing.contains(topic.name())) {
        missing.add(topic);
      }
    }
    List<Topic> toCheck =
        new ArrayList<>(topics.stream().filter(t -> existing.contains(t.name())).toList());
    if (!missing.isEmpty()) {
      List<NewTopic> newTopics =
          missing.stream()
              .map(
                  t ->
                      new NewTopic(t.name(), Optional.of(t.partitions()), replicationFactor)
                          .configs(t.configs()))
              .toList();
      Map<String, KafkaFuture<Void>> created =
          admin
              .createTopics(
                  newTopics, new CreateTopicsOptions().timeoutMs((int) timeout.toMillis()))
              .values();
      for (Topic topic : missing) {
        try {
          await(created.get(topic.name()), "create topic " + topic.name());
          results.put(
              topic.name(),
              new Result(
                  topic.name(),
                  Status.CREATED,
                  topic.partitions() + " partitions, " + topic.configs()));
          log.info(
              "Created topic {} ({} partitions, {})",
              topic.name(),
              topic.partitions(),
              topic.configs());
        } catch (KafkaException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
          toCheck.add(topic); // created concurrently by someone else
        }
      }
    }
    if (!toCheck.isEmpty()) {
      check(toCheck).forEach(r -> results.put(r.topic(), r));
    }
    return List.copyOf(results.values());
  }

  private List<Result> check(List<Topic> topics) {
    List<String> names = topics.stream().map(Topic::name).toList();
    Map<String, TopicDescription> descriptions =
        await(admin.describeTopics(names).allTopicNames(), "describe topics " + names);
    List<ConfigResource> resources =
        names.stream().map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList();
    Map<ConfigResource, Config> configs =
        await(admin.describeConfigs(resources).all(), "describe configs of " + names);
    Map<String, Config> configByName = new HashMap<>();
    configs.forEach((r, c) -> configByName.put(r.name(), c));

    List<Result> results = new ArrayList<>();
    for (Topic topic : topics) {
      List<String> mismatches = new ArrayList<>();
      int partitions = descriptions.get(topic.name()).partitions().size();
      if (partitions != topic.partitions()) {
        mismatches.add("partitions " + partitions + ", catalog says " + topic.partitions());
      }
      ConfigEntry policy = configByName.get(topic.name()).get(TopicConfig.CLEANUP_POLICY_CONFIG);
      String actual = policy == null ? "delete" : policy.value();
      String wanted = topic.configs().get(TopicConfig.CLEANUP_POLICY_CONFIG);
      if (!actual.equals(wanted)) {
        mismatches.add("cleanup.policy " + actual + ", catalog says " + wanted);
      }
      if (mismatches.isEmpty()) {
        results.add(
            new Result(
                topic.name(),
                Status.EXISTED,
                partitions + " partitions, cleanup.policy " + actual));
      } else {
        String detail = String.join("; ", mismatches);
        log.warn("Topic {} exists but differs from the catalog: {}", topic.name(), detail);
        results.add(new Result(topic.name(), Status.MISMATCHED, detail));
      }
    }
    return results;
  }

  private <T> T await(KafkaFuture<T> future, String what) {
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("Interrupted during " + what, e);
    } catch (ExecutionException e) {
      throw new KafkaException(
          "Failed to " + what + ": " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new KafkaException("Timed out after " + timeout + " trying to " + what, e);
    }
  }
}
