package io.swarmsched.bench;

import io.swarmsched.cluster.LocalCluster;
import io.swarmsched.cluster.LocalClusterConfig;
import io.swarmsched.cluster.Ports;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What every benchmark of one run shares: ONE real Kafka broker (a child JVM started through {@link
 * LocalCluster} on free ports with a temporary data directory) and the schema registry, started on
 * first use and stopped by {@link #close()}; the baselines measured so far; the output directory;
 * progress printing.
 */
public final class BenchContext implements AutoCloseable {
  private final boolean quick;
  private final Path outDir;
  private final PrintStream out;
  private final long startNanos = System.nanoTime();
  private final Map<String, Double> baselines = new ConcurrentHashMap<>();
  private final AtomicInteger topicSeq = new AtomicInteger();
  private Path workDir;
  private LocalCluster cluster;
  private Admin admin;
  private String current = "";

  /** TLS + SCRAM on the broker of this context (see {@link #secure()}). */
  private final boolean secure;

  public BenchContext(boolean quick, Path outDir, PrintStream out) {
    this(quick, outDir, out, Boolean.getBoolean("bench.secure"));
  }

  public BenchContext(boolean quick, Path outDir, PrintStream out, boolean secure) {
    this.secure = secure;
    this.quick = quick;
    this.outDir = outDir;
    this.out = out;
    try {
      Files.createDirectories(chartsDir());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public boolean quick() {
    return quick;
  }

  /** Picks the quick or the full value of a parameter. */
  public <T> T pick(T quickValue, T fullValue) {
    return quick ? quickValue : fullValue;
  }

  public Path outDir() {
    return outDir;
  }

  public Path chartsDir() {
    return outDir.resolve("charts");
  }

  /** Scratch space for this run (broker data, state directories), deleted by {@link #close()}. */
  public synchronized Path workDir() {
    if (workDir == null) {
      try {
        workDir = Files.createTempDirectory("swarmsched-bench-");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return workDir;
  }

  /** A fresh directory under {@link #workDir()}. */
  public Path newDir(String name) {
    try {
      return Files.createDirectories(workDir().resolve(name + "-" + topicSeq.incrementAndGet()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void enter(String benchmark) {
    current = benchmark;
  }

  /** Prints one progress line, prefixed with the run's elapsed time and the current benchmark. */
  public void progress(String format, Object... args) {
    double elapsed = (System.nanoTime() - startNanos) / 1e9;
    out.printf("[%6.1fs] %-18s %s%n", elapsed, current, String.format(format, args));
    out.flush();
  }

  /** The broker and registry, started on first call. */
  public synchronized LocalCluster cluster() {
    if (cluster == null) {
      progress("starting the Kafka broker (child JVM) and the schema registry");
      int kafka = Ports.findFree();
      int controller = Ports.findFree();
      while (controller == kafka) {
        controller = Ports.findFree();
      }
      LocalClusterConfig config =
          LocalClusterConfig.defaults()
              .withPorts(kafka, controller, 0)
              .withDataDir(workDir().resolve("cluster"))
              .withStartupTimeout(Duration.ofSeconds(180))
              .withSecurity(secure(), false);
      cluster = LocalCluster.start(config);
      Map<String, Object> adminConfig = new HashMap<>(security());
      adminConfig.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
      admin = Admin.create(adminConfig);
      progress(
          "broker at %s (pid %d), registry at %s, %s",
          cluster.bootstrapServers(),
          cluster.brokerPid(),
          cluster.registryUrl(),
          secure() ? "TLS + SCRAM (-Dbench.secure=true)" : "plaintext");
    }
    return cluster;
  }

  public String bootstrapServers() {
    return cluster().bootstrapServers();
  }

  /**
   * True with {@code -Dbench.secure=true}: the broker's client listener is TLS + SASL/SCRAM (as
   * {@code up --bind} runs it) and every client of the run authenticates as the admin principal, so
   * the run measures what encryption and authentication cost (ACL look-ups are skipped for that
   * super user).
   */
  public boolean secure() {
    return secure;
  }

  /** The Kafka security keys every client of the run adds (empty in plaintext). */
  public Map<String, Object> security() {
    return cluster().adminClientConfig();
  }

  /** As {@link #security()}, as swarmsched settings (for services started by a benchmark). */
  public Map<String, String> securitySettings() {
    if (!secure()) {
      return Map.of();
    }
    Map<String, String> m =
        new HashMap<>(cluster().clientSettings(io.swarmsched.cluster.ClusterSecurity.ADMIN));
    // Kafka's keys and the HTTP token: the registry of a secured cluster takes writes (schema
    // registration) only with a principal's token.
    m.keySet()
        .removeIf(
            k ->
                !k.startsWith("swarm.kafka.")
                    && !k.equals(io.swarmsched.runtime.config.CommonKeys.HTTP_TOKEN));
    return m;
  }

  /**
   * The project's value serializer against the run's registry (schemas auto-registered), with the
   * admin's token when the cluster runs secured.
   */
  public <T extends org.apache.avro.specific.SpecificRecord>
      io.swarmsched.serde.SpecificAvroSerializer<T> serializer() {
    Map<String, Object> config =
        new HashMap<>(
            io.swarmsched.runtime.config.RegistryCredentials.from(
                    io.swarmsched.runtime.config.Settings.of(securitySettings()))
                .serdeConfig(registryUrl()));
    io.swarmsched.serde.SpecificAvroSerializer<T> s =
        new io.swarmsched.serde.SpecificAvroSerializer<>();
    s.configure(config, false);
    return s;
  }

  public String registryUrl() {
    return cluster().registryUrl();
  }

  public long brokerPid() {
    return cluster().brokerPid();
  }

  /** The broker's data directory (its log segments), for state size on disk. */
  public Path brokerDataDir() {
    return cluster().config().dataDir().resolve("kafka");
  }

  public synchronized Admin admin() {
    cluster();
    return admin;
  }

  /**
   * Creates a topic with a name unique in this run ({@code bench.<prefix>.<n>}) and returns the
   * name.
   */
  public String newTopic(String prefix, int partitions) {
    String name = "bench." + prefix + "." + topicSeq.incrementAndGet();
    try {
      admin()
          .createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
          .all()
          .get(60, TimeUnit.SECONDS);
      awaitServed(name, partitions, Duration.ofSeconds(60));
    } catch (Exception e) {
      throw new IllegalStateException("Cannot create topic " + name + ": " + e.getMessage(), e);
    }
    return name;
  }

  /**
   * Waits until the broker answers a list-offsets request for every partition of a new topic.
   * Producing to a topic whose partitions the broker does not host yet makes the idempotent
   * producer retry its first batch while later batches land, and the broker then rejects it as out
   * of order until the delivery timeout (seen here: a two-minute stall and lost records), so no
   * benchmark produces before this returns.
   */
  private void awaitServed(String topic, int partitions, Duration timeout) throws Exception {
    Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> request =
        new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      request.put(
          new org.apache.kafka.common.TopicPartition(topic, p),
          org.apache.kafka.clients.admin.OffsetSpec.latest());
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        admin().listOffsets(request).all().get(10, TimeUnit.SECONDS);
        return;
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "the broker does not serve every partition of "
                  + topic
                  + " after "
                  + timeout.toSeconds()
                  + " s: "
                  + e.getMessage(),
              e);
        }
        Thread.sleep(50);
      }
    }
  }

  /**
   * Producer properties: string keys, byte[] values, the client defaults otherwise (acks=all,
   * idempotence).
   */
  public Map<String, Object> producerProps() {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
    p.putAll(security());
    return p;
  }

  /** Consumer properties for a fresh group reading from the earliest offset. */
  public Map<String, Object> consumerProps(String group) {
    Map<String, Object> p = new HashMap<>();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    p.putAll(security());
    return p;
  }

  /** Records a baseline figure so that later benchmarks of the run can be read against it. */
  public void putBaseline(String key, double value) {
    baselines.put(key, value);
  }

  public Optional<Double> baseline(String key) {
    return Optional.ofNullable(baselines.get(key));
  }

  /** A measurement read against the named baseline when the run has it, else on its own. */
  public Measurement against(String name, double value, String unit, String baselineKey) {
    return baseline(baselineKey)
        .map(b -> Measurement.against(name, value, unit, baselineKey, b))
        .orElseGet(() -> Measurement.of(name, value, unit));
  }

  public Map<String, Double> baselines() {
    return Map.copyOf(baselines);
  }

  /** Stops the shared broker and registry if they run (baselines measured so far are kept). */
  public synchronized void releaseCluster() {
    if (admin != null) {
      admin.close(Duration.ofSeconds(10));
      admin = null;
    }
    if (cluster != null) {
      progress("stopping the broker and the registry");
      cluster.close();
      cluster = null;
    }
  }

  @Override
  public synchronized void close() {
    releaseCluster();
    if (workDir != null) {
      ProcessStats.deleteRecursively(workDir);
      workDir = null;
    }
  }
}
