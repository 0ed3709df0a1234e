package io.swarmsched.agent.swarm;

import io.swarmsched.runtime.auth.HostKeyPair;
import io.swarmsched.runtime.auth.SigningSerializer;
import io.swarmsched.runtime.deadletter.DeadLetter;
import io.swarmsched.runtime.deadletter.DeadLetterPublisher;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.schemas.TaskMetadata;
import io.swarmsched.serde.SerdeConfig;
import io.swarmsched.serde.SpecificAvroDeserializer;
import io.swarmsched.serde.SpecificAvroSerializer;
import io.swarmsched.topics.Topic;
import io.swarmsched.topics.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's connection to the swarm's topics: it produces heartbeats, peer and piece events,
 * schedule requests and task metadata; it reads only its own partition of the decisions topic (the
 * partition its host id hashes to, as the dispatcher's keyed writes land) and the task metadata
 * table. Records it cannot decode go to the dead-letter topic; it never stops on them.
 */
public final class SwarmClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SwarmClient.class);

  private final String hostId;
  private final Map<String, Object> common;
  private final KafkaProducer<String, SpecificRecord> producer;
  private final DeadLetterPublisher deadLetters;
  private final Map<String, TaskMetadata> metadata = new ConcurrentHashMap<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong ignoredDecisions = new AtomicLong();
  private final AtomicLong undecodable = new AtomicLong();
  private Thread decisionThread;
  private Thread metadataThread;
  // keys read as bytes so that a dead letter keeps them as written (issue 13, finding 7)
  private KafkaConsumer<byte[], byte[]> decisionConsumer;
  private KafkaConsumer<byte[], byte[]> metadataConsumer;

  /** A client whose records are not signed (tools and tests that speak for no bound host). */
  public SwarmClient(String bootstrapServers, String schemaRegistryUrl, String hostId) {
    this(bootstrapServers, schemaRegistryUrl, hostId, null, Map.of());
  }

  /**
   * A client that signs every record it produces with {@code key} (null: unsigned): heartbeats,
   * peer and piece events, requests and task metadata all go through this one producer, so its
   * value serializer is the one place an agent signs (docs/design.md, "Security").
   */
  public SwarmClient(
      String bootstrapServers, String schemaRegistryUrl, String hostId, HostKeyPair key) {
    this(bootstrapServers, schemaRegistryUrl, hostId, key, Map.of());
  }

  /**
   * @param key signs every record produced (null: unsigned)
   * @param kafkaSecurity the client's TLS/SASL keys ({@code KafkaSecurity.clientConfig}), given to
   *     every producer and consumer it makes
   */
  public SwarmClient(
      String bootstrapServers,
      String schemaRegistryUrl,
      String hostId,
      HostKeyPair key,
      Map<String, Object> kafkaSecurity) {
    this.hostId = hostId;
    Map<String, Object> base = new HashMap<>(kafkaSecurity);
    base.put("bootstrap.servers", bootstrapServers);
    base.put(SerdeConfig.SCHEMA_REGISTRY_URL, schemaRegistryUrl);
    this.common = Map.copyOf(base);
    Map<String, Object> p = new HashMap<>(common);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 2);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "swarm-agent-" + hostId);
    SpecificAvroSerializer<SpecificRecord> values = new SpecificAvroSerializer<>();
    values.configure(p, false);
    Serializer<SpecificRecord> signed =
        key == null ? values : new SigningSerializer<SpecificRecord>(values, key);
    this.producer = new KafkaProducer<>(p, new StringSerializer(), signed);
    this.deadLetters = DeadLetterPublisher.create(dlqConfig(base, hostId));
    warmUp();
  }

  /** The topics an agent writes to when a download starts. */
  static final List<Topic> DOWNLOAD_TOPICS =
      List.of(
          Topics.PEER_EVENTS, Topics.SCHEDULE_REQUESTS, Topics.PIECE_EVENTS, Topics.TASK_METADATA);

  /**
   * Fetches the producer's metadata of the topics a download writes to, in the background: the
   * first send to a topic otherwise waits for that round trip, and a download's first steps (its
   * peer event, its schedule request; a seed's first piece events and metadata) are each a first
   * send. On a loaded machine these waits were part of the seconds before the first byte moved
   * (docs/benchmarks.md, "Distribution on a real swarm").
   */
  private void warmUp() {
    daemon(
        "agent-warm-up-" + hostId,
        () -> {
          for (Topic t : DOWNLOAD_TOPICS) {
            try {
              producer.partitionsFor(t.name());
            } catch (RuntimeException e) {
              // a missing topic or a closing client: the first send reports it as before
              log.debug("Warming up {} failed: {}", t.name(), e.toString());
              return;
            }
          }
        });
  }

  private static Map<String, Object> dlqConfig(Map<String, Object> base, String hostId) {
    Map<String, Object> c = new HashMap<>(base);
    c.remove(SerdeConfig.SCHEMA_REGISTRY_URL);
    c.put(ProducerConfig.CLIENT_ID_CONFIG, "swarm-agent-dlq-" + hostId);
    return c;
  }

  public Future<RecordMetadata> send(Topic topic, String key, SpecificRecord value) {
    return producer.send(
        new ProducerRecord<>(topic.name(), key, value),
        (md, e) -> {
          if (e != null) {
            log.error("Could not publish to {} (key {})", topic.name(), key, e);
          }
        });
  }

  public void flush() {
    producer.flush();
  }

  /** The partition of the decisions topic this host's decisions land on. */
  public static int partitionFor(String hostId, int partitions) {
    return Utils.toPositive(Utils.murmur2(hostId.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        % partitions;
  }

  /**
   * The decision reader's settings: {@code read_committed}, because the dispatcher writes decisions
   * in transactions (exactly-once) and an agent must never act on one from an aborted transaction,
   * such as a decision a killed dispatcher had not committed and its successor makes again.
   */
  static Map<String, Object> decisionConsumerConfig(Map<String, Object> common, String hostId) {
    Map<String, Object> c = new HashMap<>(common);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "swarm-agent-" + hostId);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, true);
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, "swarm-agent-decisions-" + hostId);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return c;
  }

  /**
   * Starts reading this host's decisions; {@code handler} sees only decisions addressed to this
   * host (others sharing the partition are skipped and counted).
   */
  public void startDecisions(Consumer<ScheduleDecision> handler) {
    decisionConsumer =
        new KafkaConsumer<>(
            decisionConsumerConfig(common, hostId),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer());
    List<PartitionInfo> partitions =
        decisionConsumer.partitionsFor(Topics.SCHEDULE_DECISIONS.name(), Duration.ofSeconds(30));
    if (partitions == null || partitions.isEmpty()) {
      throw new IllegalStateException(
          "topic "
              + Topics.SCHEDULE_DECISIONS.name()
              + " does not exist; run `swarmsched topics create`");
    }
    TopicPartition mine =
        new TopicPartition(
            Topics.SCHEDULE_DECISIONS.name(), partitionFor(hostId, partitions.size()));
    decisionConsumer.assign(List.of(mine));
    // Make the starting position concrete now, so no decision written after start-up is missed.
    decisionConsumer.position(mine, Duration.ofSeconds(30));
    SpecificAvroDeserializer<ScheduleDecision> decoder =
        new SpecificAvroDeserializer<>(ScheduleDecision.class);
    decoder.configure(common, false);
    decisionThread =
        daemon(
            "agent-decisions-" + hostId,
            () -> {
              try {
                while (running.get()) {
                  for (ConsumerRecord<byte[], byte[]> r :
                      decisionConsumer.poll(Duration.ofMillis(200))) {
                    ScheduleDecision d = decode(decoder, r, "agent-decisions");
                    if (d == null) {
                      continue;
                    }
                    if (!hostId.equals(d.getTargetHostId())) {
                      ignoredDecisions.incrementAndGet();
                      continue;
                    }
                    try {
                      handler.accept(d);
                    } catch (RuntimeException e) {
                      log.error("Handling decision {} failed", d.getDecisionId(), e);
                    }
                  }
                }
              } catch (WakeupException e) {
                // closing
              } finally {
                decisionConsumer.close(Duration.ofSeconds(5));
              }
            });
  }

  /** Starts tailing the task metadata table from its beginning. */
  public void startMetadata() {
    Map<String, Object> c = new HashMap<>(common);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, "swarm-agent-metadata-" + hostId);
    metadataConsumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> all =
        metadataConsumer.partitionsFor(Topics.TASK_METADATA.name(), Duration.ofSeconds(30)).stream()
            .map(p -> new TopicPartition(p.topic(), p.partition()))
            .toList();
    metadataConsumer.assign(all);
    metadataConsumer.seekToBeginning(all);
    SpecificAvroDeserializer<TaskMetadata> decoder =
        new SpecificAvroDeserializer<>(TaskMetadata.class);
    decoder.configure(common, false);
    metadataThread =
        daemon(
            "agent-metadata-" + hostId,
            () -> {
              try {
                while (running.get()) {
                  for (ConsumerRecord<byte[], byte[]> r :
                      metadataConsumer.poll(Duration.ofMillis(200))) {
                    String key =
                        r.key() == null
                            ? null
                            : new String(r.key(), java.nio.charset.StandardCharsets.UTF_8);
                    if (r.value() == null) {
                      if (key != null) {
                        metadata.remove(key);
                      }
                      continue;
                    }
                    TaskMetadata m = decode(decoder, r, "agent-task-metadata");
                    String invalid = m == null ? null : TaskMetadataRules.problem(key, m);
                    if (invalid != null) {
                      undecodable.incrementAndGet();
                      deadLetters.publish(
                          DeadLetter.builder(
                                  "agent-task-metadata-validate", "validation failed: " + invalid)
                              .source(r.topic(), r.partition(), r.offset())
                              .rawKey(r.key())
                              .rawValue(r.value())
                              .headers(r.headers())
                              .build());
                      m = null;
                    }
                    if (m != null) {
                      metadata.put(m.getTaskId(), m);
                      synchronized (metadata) {
                        metadata.notifyAll();
                      }
                    }
                  }
                }
              } catch (WakeupException e) {
                // closing
              } finally {
                metadataConsumer.close(Duration.ofSeconds(5));
              }
            });
  }

  public Optional<TaskMetadata> metadata(String taskId) {
    return Optional.ofNullable(metadata.get(taskId));
  }

  /** Waits for a task's metadata to appear on the table. */
  public Optional<TaskMetadata> awaitMetadata(String taskId, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (metadata) {
      while (!metadata.containsKey(taskId)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return Optional.empty();
        }
        metadata.wait(
            Math.max(
                1,
                TimeUnit.NANOSECONDS.toMillis(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)))));
      }
    }
    return metadata(taskId);
  }

  private <T> T decode(
      SpecificAvroDeserializer<? extends T> decoder,
      ConsumerRecord<byte[], byte[]> r,
      String stage) {
    try {
      return decoder.deserialize(r.topic(), r.value());
    } catch (RuntimeException e) {
      undecodable.incrementAndGet();
      deadLetters.publish(
          DeadLetter.builder(stage, e.getMessage() == null ? e.toString() : e.getMessage())
              .source(r.topic(), r.partition(), r.offset())
              .rawKey(r.key())
              .rawValue(r.value())
              .headers(r.headers())
              .exception(e)
              .build());
      return null;
    }
  }

  private static Thread daemon(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  public long ignoredDecisions() {
    return ignoredDecisions.get();
  }

  public long undecodableRecords() {
    return undecodable.get();
  }

  @Override
  public void close() {
    running.set(false);
    for (Thread t : new Thread[] {decisionThread, metadataThread}) {
      if (t != null) {
        try {
          t.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    producer.close(Duration.ofSeconds(10));
    deadLetters.close();
  }
}
