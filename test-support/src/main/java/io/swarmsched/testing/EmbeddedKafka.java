package io.swarmsched.testing;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.utils.Exit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One real KRaft cluster (a single combined broker+controller, {@link KafkaClusterTestKit}) per
 * test JVM. Started lazily by the first {@link #get()}, proven ready by a probe that creates a
 * topic, produces and consumes with a group, and stopped by a shutdown hook when the JVM exits.
 *
 * <p>Tests share it, so each test uses its own topic names (see {@link #uniqueName(String)}) and
 * group ids rather than assuming an empty cluster.
 */
public final class EmbeddedKafka {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);

  /** How long start-up and the readiness probe may take on a loaded 2-core machine. */
  public static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(120);

  static final String PROBE_TOPIC = "_swarmsched-readiness";

  private static volatile EmbeddedKafka instance;

  private final KafkaClusterTestKit cluster;
  private final String bootstrapServers;
  private final Admin admin;

  private EmbeddedKafka(KafkaClusterTestKit cluster) {
    this.cluster = cluster;
    this.bootstrapServers = cluster.bootstrapServers();
    this.admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                60_000));
  }

  /** The cluster of this JVM, started (and probed) on first use. */
  public static EmbeddedKafka get() {
    EmbeddedKafka current = instance;
    if (current != null) {
      return current;
    }
    synchronized (EmbeddedKafka.class) {
      if (instance == null) {
        instance = start();
      }
      return instance;
    }
  }

  private static EmbeddedKafka start() {
    long started = System.nanoTime();
    KafkaClusterTestKit cluster = null;
    // Kafka's server code may call Exit.exit/halt on a fault (typically while shutting down);
    // in a test JVM that would end the JVM with a non-zero status after every test passed, which
    // the test runner reports as a broken fork. Faults are recorded and logged instead.
    Exit.setExitProcedure(
        (code, message) -> {
          log.error("Kafka asked this test JVM to exit({}): {} (ignored)", code, message);
          throw new IllegalStateException(
              "Kafka asked this test JVM to exit(" + code + "): " + message);
        });
    Exit.setHaltProcedure(
        (code, message) -> {
          log.error("Kafka asked this test JVM to halt({}): {} (ignored)", code, message);
          throw new IllegalStateException(
              "Kafka asked this test JVM to halt(" + code + "): " + message);
        });
    try {
      TestKitNodes nodes =
          new TestKitNodes.Builder()
              .setCombined(true)
              .setNumBrokerNodes(1)
              .setNumControllerNodes(1)
              .build();
      cluster =
          new KafkaClusterTestKit.Builder(nodes)
              .setConfigProp("auto.create.topics.enable", "false")
              .setConfigProp("num.partitions", "1")
              .setConfigProp("default.replication.factor", "1")
              .setConfigProp("min.insync.replicas", "1")
              .setConfigProp("offsets.topic.replication.factor", "1")
              .setConfigProp("offsets.topic.num.partitions", "5")
              .setConfigProp("transaction.state.log.replication.factor", "1")
              .setConfigProp("transaction.state.log.min.isr", "1")
              .setConfigProp("transaction.state.log.num.partitions", "5")
              .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
              .setConfigProp("share.coordinator.state.topic.min.isr", "1")
              .setConfigProp("group.initial.rebalance.delay.ms", "0")
              .build();
      cluster.format();
      cluster.startup();
      cluster.waitForReadyBrokers();
      EmbeddedKafka kafka = new EmbeddedKafka(cluster);
      kafka.probe(STARTUP_TIMEOUT);
      Runtime.getRuntime().addShutdownHook(new Thread(kafka::stop, "embedded-kafka-shutdown"));
      log.info(
          "Embedded Kafka ready at {} in {} ms",
          kafka.bootstrapServers,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
      return kafka;
    } catch (Exception e) {
      if (cluster != null) {
        try {
          cluster.close();
        } catch (Exception closeFailure) {
          e.addSuppressed(closeFailure);
        }
      }
      throw new IllegalStateException("Embedded Kafka failed to start: " + e, e);
    }
  }

  /**
   * The readiness probe: creates a topic (if absent), produces a record to it and consumes that
   * record back with a consumer group, which proves the broker, the controller and the group
   * coordinator (with its offsets topic) all work. Safe to call again at any time.
   *
   * @throws AssertionError if the round trip does not complete within {@code timeout}
   */
  public void probe(Duration timeout) {
    createTopic(PROBE_TOPIC, 1, Map.of());
    String marker = UUID.randomUUID().toString();
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(producerProps(), new StringSerializer(), new StringSerializer())) {
      producer
          .send(new ProducerRecord<>(PROBE_TOPIC, "probe", marker))
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("Readiness probe could not produce to " + PROBE_TOPIC + ": " + e, e);
    }
    Map<String, Object> consumerProps = consumerProps("_swarmsched-readiness-" + marker);
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(consumerProps, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(PROBE_TOPIC));
      Await.until(
          timeout,
          "readiness probe to consume its record from " + PROBE_TOPIC + " with a group",
          () -> {
            ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
            for (var record : records) {
              if (marker.equals(record.value())) {
                consumer.commitSync();
                return true;
              }
            }
            return false;
          });
    }
  }

  /** {@code host:port} of the broker's client listener. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** A shared Admin client; do not close it. */
  public Admin admin() {
    return admin;
  }

  /** The underlying test kit, for the rare test that needs the broker objects themselves. */
  public KafkaClusterTestKit testKit() {
    return cluster;
  }

  /**
   * Creates topics (existing ones are left as they are). Accepts catalog topics ({@code
   * io.swarmsched.topics.Topic}, read through its {@code name()}, {@code partitions()} and {@code
   * configs()} so that test-support need not depend on the schemas module, whose own tests use
   * test-support), {@link NewTopic}s, plain topic names (1 partition), or collections of these such
   * as {@code Topics.ALL}.
   */
  public void createTopics(Object... topics) {
    List<NewTopic> newTopics = new ArrayList<>();
    for (Object topic : topics) {
      collect(topic, newTopics);
    }
    create(newTopics);
  }

  /** Creates one topic if absent. */
  public void createTopic(String name, int partitions, Map<String, String> configs) {
    create(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)));
  }

  /** Creates one single-partition topic if absent. */
  public void createTopic(String name) {
    createTopic(name, 1, Map.of());
  }

  /**
   * A topic name unique to this call, for tests that share the cluster: {@code prefix-<random>}.
   */
  public static String uniqueName(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * Producer properties: bootstrap, acks=all, idempotence, byte-array serializers (override as
   * needed).
   */
  public Map<String, Object> producerProps() {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return props;
  }

  /**
   * Consumer properties for {@code group}: bootstrap, earliest offset, read_committed, no auto
   * commit, byte-array deserializers (override as needed).
   */
  public Map<String, Object> consumerProps(String group) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return props;
  }

  private void create(List<NewTopic> topics) {
    if (topics.isEmpty()) {
      return;
    }
    var result = admin.createTopics(topics);
    for (var entry : result.values().entrySet()) {
      try {
        entry.getValue().get(60, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw new IllegalStateException(
              "Could not create topic " + entry.getKey() + ": " + e.getCause(), e.getCause());
        }
      } catch (Exception e) {
        throw new IllegalStateException("Could not create topic " + entry.getKey() + ": " + e, e);
      }
    }
    // Creation is acknowledged by the controller; wait until the broker serves every partition.
    List<String> names = topics.stream().map(NewTopic::name).toList();
    Await.until(
        Duration.ofSeconds(60),
        "topics " + names + " to have leaders",
        () -> {
          try {
            return admin
                .describeTopics(names)
                .allTopicNames()
                .get(10, TimeUnit.SECONDS)
                .values()
                .stream()
                .allMatch(
                    d ->
                        d.partitions().stream()
                            .allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
          } catch (Exception e) {
            return false;
          }
        });
  }

  @SuppressWarnings("unchecked")
  private static void collect(Object topic, List<NewTopic> out) {
    if (topic instanceof NewTopic newTopic) {
      out.add(newTopic);
    } else if (topic instanceof String name) {
      out.add(new NewTopic(name, 1, (short) 1));
    } else if (topic instanceof Collection<?> many) {
      many.forEach(t -> collect(t, out));
    } else if (topic instanceof Object[] many) {
      for (Object t : many) {
        collect(t, out);
      }
    } else {
      try {
        Method name = topic.getClass().getMethod("name");
        Method partitions = topic.getClass().getMethod("partitions");
        Method configs = topic.getClass().getMethod("configs");
        out.add(
            new NewTopic((String) name.invoke(topic), (Integer) partitions.invoke(topic), (short) 1)
                .configs((Map<String, String>) configs.invoke(topic)));
      } catch (ReflectiveOperationException | ClassCastException e) {
        throw new IllegalArgumentException(
            "Not a topic (needs name(), partitions(), configs()): " + topic, e);
      }
    }
  }

  private void stop() {
    try {
      admin.close(Duration.ofSeconds(5));
    } catch (Exception e) {
      log.debug("Closing admin failed", e);
    }
    // Bounded: the JVM is exiting anyway, and a slow close on a loaded machine must not outlast the
    // test runner's patience with the fork.
    Thread closer =
        new Thread(
            () -> {
              try {
                cluster.close();
              } catch (Exception e) {
                log.warn("Closing embedded Kafka failed", e);
              }
            },
            "embedded-kafka-close");
    closer.setDaemon(true);
    closer.start();
    try {
      closer.join(TimeUnit.SECONDS.toMillis(20));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (closer.isAlive()) {
      log.warn("Embedded Kafka did not close within 20 s; leaving it to the JVM's exit");
    }
  }
}
