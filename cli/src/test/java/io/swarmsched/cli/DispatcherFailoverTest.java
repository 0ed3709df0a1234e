package io.swarmsched.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.cluster.LocalCluster;
import io.swarmsched.cluster.LocalClusterConfig;
import io.swarmsched.cluster.Ports;
import io.swarmsched.dispatcher.DispatcherConfig;
import io.swarmsched.schemas.HostCapacity;
import io.swarmsched.schemas.HostLoad;
import io.swarmsched.schemas.HostState;
import io.swarmsched.schemas.HostType;
import io.swarmsched.schemas.Liveness;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.schemas.ScheduleRequest;
import io.swarmsched.serde.SpecificAvroSerde;
import io.swarmsched.testing.Await;
import io.swarmsched.topics.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.StreamsGroupDescription;
import org.apache.kafka.clients.admin.StreamsGroupMemberAssignment;
import org.apache.kafka.clients.admin.StreamsGroupMemberDescription;
import org.apache.kafka.clients.admin.StreamsGroupSubtopologyDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code swarmsched dispatch} processes on one cluster, one killed with {@code kill -9} while
 * requests keep coming: decisions for the killed instance's partitions resume on the survivor. The
 * time it takes is printed (docs/reliability.md has the figures), not asserted; extra dispatcher
 * flags for a measurement come from {@code -Dfailover.flags="--swarm.streams.k=v ..."}.
 */
class DispatcherFailoverTest {
  static final Duration AWAIT = Duration.ofMinutes(4);

  /** Generous: the test proves decisions resume, the figure is what the run prints. */
  static final Duration RESUME_BOUND = Duration.ofSeconds(120);

  static final int HOSTS = 20;

  @TempDir Path dir;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  /** The current measurement's id (request, task and host names), application id and flags. */
  String run;

  String appId;
  String flags;

  /**
   * One measurement per configuration, {@code -Dfailover.runs} times (default 1), on one cluster.
   * {@code -Dfailover.flags} holds the configurations separated by {@code |}; taking them in turn
   * (A B A B ...) spreads a varying machine load over all of them.
   */
  @Test
  void decisionsForAKilledInstancesPartitionsResumeOnTheSurvivor() throws Exception {
    LocalClusterConfig config =
        LocalClusterConfig.defaults()
            .withPorts(Ports.findFree(), Ports.findFree(), Ports.findFree())
            .withDataDir(dir.resolve("cluster"))
            .withBrokerJvmOptions(List.of("-Xmx512m"));
    List<String> configurations =
        Arrays.stream(System.getProperty("failover.flags", "").split("\\|", -1))
            .map(String::strip)
            .toList();
    int runs = Integer.getInteger("failover.runs", 1);
    Map<String, List<Double>> slowest = new java.util.LinkedHashMap<>();
    try (LocalCluster cluster = LocalCluster.start(config)) {
      for (int r = 0; r < runs; r++) {
        for (String configuration : configurations) {
          run = UUID.randomUUID().toString().substring(0, 8);
          appId = "failover-" + run;
          flags = configuration;
          decided.clear();
          slowest
              .computeIfAbsent(configuration, k -> new ArrayList<>())
              .add(measureOnce(cluster, config));
        }
      }
    }
    slowest.forEach(
        (configuration, seconds) ->
            System.out.printf(
                "FAILOVER summary flags=[%s] slowest partition per run: %s%n",
                configuration, seconds.stream().map(d -> String.format("%.1f s", d)).toList()));
  }

  /**
   * Two dispatchers, a steady stream, kill -9 of one; seconds until its slowest partition decides.
   */
  private double measureOnce(LocalCluster cluster, LocalClusterConfig config) throws Exception {
    List<Process> dispatchers = new ArrayList<>();
    try {
      Map<String, String> serde = Map.of("schema.registry.url", cluster.registryUrl());
      publishHosts(cluster, serde);
      int httpA = Ports.findFree();
      int httpB = Ports.findFree();
      Process a = startDispatcher(cluster, "a", httpA);
      dispatchers.add(a);
      dispatchers.add(startDispatcher(cluster, "b", httpB));
      awaitHealthy(httpA, dispatchers.get(0), "a");
      awaitHealthy(httpB, dispatchers.get(1), "b");
      int partitions = Topics.SCHEDULE_REQUESTS.partitions();
      Set<Integer> owned =
          Await.value(
              AWAIT,
              "both instances own request partitions",
              () -> {
                Map<String, Set<Integer>> byInstance = requestPartitionsByInstance(cluster);
                Set<Integer> ofA = byInstance.getOrDefault("a", Set.of());
                Set<Integer> ofB = byInstance.getOrDefault("b", Set.of());
                return !ofA.isEmpty() && !ofB.isEmpty() && ofA.size() + ofB.size() == partitions
                    ? java.util.Optional.of(ofA)
                    : java.util.Optional.empty();
              });

      // Three tasks on every partition, so each partition has requests all the time.
      Map<Integer, List<String>> tasksByPartition = tasksByPartition(partitions, 3);
      Map<String, Long> sentAt = new ConcurrentHashMap<>();
      Map<Integer, Long> firstDecisionAfterKill = new ConcurrentHashMap<>();
      Map<String, Integer> partitionOfRequest = new ConcurrentHashMap<>();
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicLong killedAt = new AtomicLong(Long.MAX_VALUE);
      Thread reader =
          new Thread(
              () ->
                  readDecisions(
                      cluster,
                      serde,
                      running,
                      sentAt,
                      partitionOfRequest,
                      killedAt,
                      firstDecisionAfterKill),
              "decision-reader");
      reader.start();
      try (KafkaProducer<String, ScheduleRequest> producer =
          new KafkaProducer<>(
              Map.of(
                  ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                  cluster.bootstrapServers(),
                  ProducerConfig.ACKS_CONFIG,
                  "all"),
              new StringSerializer(),
              SpecificAvroSerde.of(ScheduleRequest.class, serde).serializer())) {
        long start = System.nanoTime();
        int n = 0;
        while (System.nanoTime() - start < RESUME_BOUND.toNanos() + TimeUnit.SECONDS.toNanos(60)) {
          for (Map.Entry<Integer, List<String>> e : tasksByPartition.entrySet()) {
            for (String task : e.getValue()) {
              String id = run + "-req-" + n++;
              partitionOfRequest.put(id, e.getKey());
              sentAt.put(id, System.nanoTime());
              ScheduleRequest req =
                  ScheduleRequest.newBuilder()
                      .setRequestId(id)
                      .setTaskId(task)
                      .setPeerId(run + "-p" + n)
                      .setHostId(run + "-h" + (n % HOSTS))
                      .setUrl("https://origin/" + task)
                      .setTimestamp(Instant.now())
                      .build();
              producer.send(
                  new ProducerRecord<>(
                      Topics.SCHEDULE_REQUESTS.name(), e.getKey(), null, task, req));
            }
          }
          producer.flush();
          if (killedAt.get() == Long.MAX_VALUE
              && System.nanoTime() - start > TimeUnit.SECONDS.toNanos(10)) {
            // Decisions flow on every partition by now; kill -9 instance a.
            Await.until(
                AWAIT,
                "decisions on every partition before the kill",
                () -> partitionsWithDecisions(sentAt, partitionOfRequest).size() == partitions);
            killedAt.set(System.nanoTime());
            a.destroyForcibly();
            System.out.println("FAILOVER kill -9 of instance a at " + java.time.LocalTime.now());
          }
          if (killedAt.get() != Long.MAX_VALUE
              && firstDecisionAfterKill.keySet().containsAll(owned)) {
            break;
          }
          TimeUnit.MILLISECONDS.sleep(100); // a steady stream, ten rounds a second
        }
      } finally {
        running.set(false);
        reader.join(15_000);
      }

      Map<Integer, Double> secondsToResume = new TreeMap<>();
      for (int p : owned) {
        Long at = firstDecisionAfterKill.get(p);
        secondsToResume.put(p, at == null ? Double.NaN : (at - killedAt.get()) / 1e9);
      }
      System.out.printf(
          "FAILOVER flags=[%s] killed instance owned partitions %s; seconds from kill -9 to the first"
              + " decision per partition: %s; slowest %.1f s%n",
          flags,
          owned,
          secondsToResume,
          secondsToResume.values().stream().mapToDouble(d -> d).max().orElse(Double.NaN));
      // What the survivor went through, for the figures in docs/reliability.md.
      read(outFile("b"))
          .lines()
          .filter(l -> l.contains(" -> ") || l.contains("WARN"))
          .forEach(l -> System.out.println("FAILOVER survivor: " + l));
      // When the group coordinator evicted the killed member and rebalanced.
      read(config.dataDir().resolve("logs").resolve("server.log"))
          .lines()
          .filter(
              l ->
                  l.contains(appId)
                      && (l.contains("Member")
                          || l.contains("rebalance")
                          || l.contains("Stabilized")))
          .forEach(l -> System.out.println("FAILOVER coordinator: " + l));
      assertThat(firstDecisionAfterKill.keySet())
          .as("partitions of the killed instance with decisions again")
          .containsAll(owned);
      return secondsToResume.values().stream().mapToDouble(d -> d).max().orElse(Double.NaN);
    } finally {
      for (Process p : dispatchers) {
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * {@code swarmsched dispatch} in a child JVM on this classpath, as the swarmsched script runs it.
   */
  private Process startDispatcher(LocalCluster cluster, String instance, int httpPort)
      throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "dispatch",
                "--swarm.bootstrap.servers=" + cluster.bootstrapServers(),
                "--swarm.schema.registry.url=" + cluster.registryUrl(),
                "--swarm.http.host=127.0.0.1",
                "--swarm.http.port=" + httpPort,
                "--swarm.state.dir=" + dir.resolve("state-" + instance + "-" + run),
                "--swarm.instance.id=" + instance,
                "--" + DispatcherConfig.APPLICATION_ID + "=" + appId));
    if (!flags.isEmpty()) {
      command.addAll(Arrays.asList(flags.split("\\s+")));
    }
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(outFile(instance).toFile());
    builder.environment().remove("JAVA_TOOL_OPTIONS");
    return builder.start();
  }

  /** The console output of dispatcher {@code instance} in the current measurement. */
  private Path outFile(String instance) {
    return dir.resolve("dispatch-" + instance + "-" + run + ".out");
  }

  private void awaitHealthy(int port, Process process, String instance) {
    Await.until(
        AWAIT,
        "dispatcher " + instance + " to be healthy",
        () -> {
          if (!process.isAlive()) {
            throw new AssertionError(
                "dispatcher " + instance + " exited: " + read(outFile(instance)));
          }
          try {
            return http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                        HttpResponse.BodyHandlers.ofString())
                    .statusCode()
                == 200;
          } catch (IOException e) {
            return false;
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
          }
        });
  }

  /**
   * Instance id → partitions of the requests topic its consumer is assigned (client ids are {@code
   * <appId>-<instance>-...}).
   */
  private Map<String, Set<Integer>> requestPartitionsByInstance(LocalCluster cluster) {
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
      if (streamsProtocol()) {
        return requestPartitionsByInstanceOfStreamsGroup(admin);
      }
      ConsumerGroupDescription group =
          admin.describeConsumerGroups(List.of(appId)).all().get(10, TimeUnit.SECONDS).get(appId);
      Map<String, Set<Integer>> result = new HashMap<>();
      for (MemberDescription m : group.members()) {
        String rest =
            m.clientId().startsWith(appId + "-") ? m.clientId().substring(appId.length() + 1) : "";
        String instance = rest.contains("-") ? rest.substring(0, rest.indexOf('-')) : rest;
        for (TopicPartition tp : m.assignment().topicPartitions()) {
          if (tp.topic().equals(Topics.SCHEDULE_REQUESTS.name())) {
            result.computeIfAbsent(instance, k -> new java.util.TreeSet<>()).add(tp.partition());
          }
        }
      }
      return result;
    } catch (Exception e) {
      return Map.of();
    }
  }

  /**
   * Whether the dispatchers run Kafka's streams rebalance protocol (KIP-1071): their default,
   * unless {@code -Dfailover.flags} says {@code group.protocol=classic}. Their group is then a
   * streams group, which the consumer-group API does not describe.
   */
  private boolean streamsProtocol() {
    if (flags.contains("group.protocol=classic")) {
      return false;
    }
    return flags.contains("group.protocol=streams")
        || "streams"
            .equals(
                io.swarmsched.runtime.streams.StreamsProps.FAILOVER_DEFAULTS.get("group.protocol"));
  }

  /**
   * The same for a streams group: the active tasks of the sub-topology that reads the requests
   * topic, whose task partitions are the topic's partitions.
   */
  private Map<String, Set<Integer>> requestPartitionsByInstanceOfStreamsGroup(Admin admin)
      throws Exception {
    StreamsGroupDescription group =
        admin.describeStreamsGroups(List.of(appId)).all().get(10, TimeUnit.SECONDS).get(appId);
    Set<String> requestSubtopologies =
        group.subtopologies().stream()
            .filter(s -> s.sourceTopics().contains(Topics.SCHEDULE_REQUESTS.name()))
            .map(StreamsGroupSubtopologyDescription::subtopologyId)
            .collect(Collectors.toSet());
    Map<String, Set<Integer>> result = new HashMap<>();
    for (StreamsGroupMemberDescription m : group.members()) {
      String rest =
          m.clientId().startsWith(appId + "-") ? m.clientId().substring(appId.length() + 1) : "";
      String instance = rest.contains("-") ? rest.substring(0, rest.indexOf('-')) : rest;
      for (StreamsGroupMemberAssignment.TaskIds tasks : m.assignment().activeTasks()) {
        // every sub-topology of the dispatcher is co-partitioned with the requests topic, so if
        // none names it as a source (a sub-topology read through a repartition), any one will do
        if (requestSubtopologies.isEmpty()
            || requestSubtopologies.contains(tasks.subtopologyId())) {
          result
              .computeIfAbsent(instance, k -> new java.util.TreeSet<>())
              .addAll(tasks.partitions());
        }
      }
    }
    return result;
  }

  private Map<Integer, List<String>> tasksByPartition(int partitions, int perPartition) {
    Map<Integer, List<String>> result = new TreeMap<>();
    for (int i = 0;
        result.values().stream().mapToInt(List::size).sum() < partitions * perPartition;
        i++) {
      String task = run + "-t" + i;
      int p = Utils.toPositive(Utils.murmur2(task.getBytes(StandardCharsets.UTF_8))) % partitions;
      List<String> tasks = result.computeIfAbsent(p, k -> new ArrayList<>());
      if (tasks.size() < perPartition) {
        tasks.add(task);
      }
    }
    return result;
  }

  private final Set<String> decided = ConcurrentHashMap.newKeySet();

  private Set<Integer> partitionsWithDecisions(
      Map<String, Long> sentAt, Map<String, Integer> partitionOfRequest) {
    return decided.stream()
        .map(partitionOfRequest::get)
        .filter(java.util.Objects::nonNull)
        .collect(Collectors.toSet());
  }

  private void readDecisions(
      LocalCluster cluster,
      Map<String, String> serde,
      AtomicBoolean running,
      Map<String, Long> sentAt,
      Map<String, Integer> partitionOfRequest,
      AtomicLong killedAt,
      Map<Integer, Long> firstDecisionAfterKill) {
    Map<String, Object> props =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            cluster.bootstrapServers(),
            ConsumerConfig.GROUP_ID_CONFIG,
            "failover-reader-" + run,
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
            "earliest",
            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            "read_committed");
    try (KafkaConsumer<String, ScheduleDecision> consumer =
        new KafkaConsumer<>(
            props,
            new StringDeserializer(),
            SpecificAvroSerde.of(ScheduleDecision.class, serde).deserializer())) {
      consumer.subscribe(List.of(Topics.SCHEDULE_DECISIONS.name()));
      while (running.get()) {
        for (ConsumerRecord<String, ScheduleDecision> r : consumer.poll(Duration.ofMillis(100))) {
          if (r.value() == null) {
            continue;
          }
          String id = r.value().getRequestId();
          Long sent = sentAt.get(id);
          Integer partition = partitionOfRequest.get(id);
          if (sent == null || partition == null) {
            continue;
          }
          decided.add(id);
          if (sent > killedAt.get()) {
            firstDecisionAfterKill.putIfAbsent(partition, System.nanoTime());
          }
        }
      }
    }
  }

  private void publishHosts(LocalCluster cluster, Map<String, String> serde) throws Exception {
    try (var producer =
        new KafkaProducer<>(
            Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                cluster.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG,
                "all"),
            new StringSerializer(),
            SpecificAvroSerde.of(HostState.class, serde).serializer())) {
      for (int i = 0; i < HOSTS; i++) {
        String id = run + "-h" + i;
        Instant now = Instant.now();
        producer
            .send(
                new ProducerRecord<>(
                    Topics.HOSTS.name(),
                    id,
                    HostState.newBuilder()
                        .setHostId(id)
                        .setPieceServerAddress(id + ":4000")
                        .setType(HostType.NORMAL)
                        .setCapacity(
                            HostCapacity.newBuilder()
                                .setMaxTxBytesPerSec(100L << 20)
                                .setUploadSlotLimit(1000)
                                .build())
                        .setLoad(HostLoad.newBuilder().build())
                        .setLastSequence(1)
                        .setLastSeen(now)
                        .setFirstSeen(now)
                        .setLiveness(Liveness.ONLINE)
                        .setLivenessChangedAt(now)
                        .build()))
            .get();
      }
    }
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      return "";
    }
  }
}
