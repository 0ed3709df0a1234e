package io.swarmsched.replay;

import io.swarmsched.schemas.PeerEvent;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.serde.SpecificAvroSerde;
import io.swarmsched.topics.Topic;
import io.swarmsched.topics.Topics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A replay's decisions and peer events written to topics under a replay prefix on a cluster ({@code
 * <prefix>swarm.schedule-decisions.v1}, {@code <prefix>swarm.peer-events.v1}), never the live
 * topics: a prefix that would name a catalog topic is refused. It only produces (no consumer, so no
 * consumer group), and makes the two topics when they are missing.
 */
public final class TopicsOutput implements ReplayOutput {
  private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]+");

  private final String decisionsTopic;
  private final String peerEventsTopic;
  private final KafkaProducer<String, ScheduleDecision> decisions;
  private final KafkaProducer<String, PeerEvent> peerEvents;
  private final AtomicReference<Exception> failed = new AtomicReference<>();
  private long sent;

  /** The topic a replay writes {@code live}'s records to under {@code prefix}. */
  public static String topic(String prefix, Topic live) {
    return prefix + live.name();
  }

  /**
   * Refuses a prefix that is empty, holds characters a topic name may not, or would make a catalog
   * (live) topic's name.
   */
  public static String checkPrefix(String prefix) {
    if (prefix == null || prefix.isEmpty()) {
      throw new ReplayException("--to-topics: an empty prefix would write to the live topics");
    }
    if (!LEGAL.matcher(prefix).matches()) {
      throw new ReplayException(
          "--to-topics '"
              + prefix
              + "': a topic prefix has only letters, digits, '.', '_' and '-'");
    }
    Set<String> live = Topics.ALL.stream().map(Topic::name).collect(Collectors.toSet());
    for (Topic t : List.of(Topics.SCHEDULE_DECISIONS, Topics.PEER_EVENTS)) {
      if (live.contains(topic(prefix, t))) {
        throw new ReplayException(
            "--to-topics '" + prefix + "': " + topic(prefix, t) + " is a live topic");
      }
    }
    return prefix;
  }

  /**
   * Connects to the cluster; {@code clientProperties} are extra producer and admin settings (e.g.
   * security).
   *
   * @throws ReplayException on a refused prefix or a cluster that cannot be reached
   */
  public TopicsOutput(
      String prefix,
      String bootstrapServers,
      String registryUrl,
      Map<String, String> clientProperties) {
    checkPrefix(prefix);
    decisionsTopic = topic(prefix, Topics.SCHEDULE_DECISIONS);
    peerEventsTopic = topic(prefix, Topics.PEER_EVENTS);
    Map<String, Object> props = new HashMap<>(clientProperties);
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    createTopics(props, bootstrapServers);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "swarmsched-replay");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    Map<String, String> serde = Map.of("schema.registry.url", registryUrl);
    decisions = producer(props, SpecificAvroSerde.of(ScheduleDecision.class, serde).serializer());
    peerEvents = producer(props, SpecificAvroSerde.of(PeerEvent.class, serde).serializer());
  }

  private void createTopics(Map<String, Object> props, String bootstrapServers) {
    try (Admin admin = Admin.create(props)) {
      List<NewTopic> topics = new ArrayList<>();
      topics.add(new NewTopic(decisionsTopic, Optional.of(partitions()), Optional.empty()));
      topics.add(new NewTopic(peerEventsTopic, Optional.of(partitions()), Optional.empty()));
      for (var f : admin.createTopics(topics).values().values()) {
        try {
          f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) throw e;
        }
      }
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new ReplayException(
          "cannot make the replay's topics on " + bootstrapServers + ": " + cause.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ReplayException("interrupted while making the replay's topics", e);
    }
  }

  private static int partitions() {
    return Topics.SCHEDULE_DECISIONS.partitions();
  }

  private static <V> KafkaProducer<String, V> producer(
      Map<String, Object> props, Serializer<V> values) {
    return new KafkaProducer<>(props, new StringSerializer(), values);
  }

  public String decisionsTopic() {
    return decisionsTopic;
  }

  public String peerEventsTopic() {
    return peerEventsTopic;
  }

  /** How many records were sent. */
  public long sent() {
    return sent;
  }

  @Override
  public void decision(ScheduleDecision d) {
    check();
    // keyed as the live decisions are: by the host the decision is for
    decisions.send(
        new ProducerRecord<>(decisionsTopic, d.getTargetHostId(), d), this::sentOrFailed);
    sent++;
  }

  @Override
  public void peerEvent(String key, PeerEvent e) {
    check();
    peerEvents.send(new ProducerRecord<>(peerEventsTopic, key, e), this::sentOrFailed);
    sent++;
  }

  private void sentOrFailed(Object metadata, Exception e) {
    if (e != null) failed.compareAndSet(null, e);
  }

  private void check() {
    Exception e = failed.get();
    if (e != null) {
      throw new ReplayException(
          "cannot write to " + decisionsTopic + " or " + peerEventsTopic + ": " + e.getMessage(),
          e);
    }
  }

  /** Waits for every send to be acknowledged; a failed one is a {@link ReplayException}. */
  @Override
  public void close() {
    try {
      decisions.close();
    } finally {
      peerEvents.close();
    }
    check();
  }
}
