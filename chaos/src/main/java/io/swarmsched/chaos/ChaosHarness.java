package io.swarmsched.chaos;

import io.swarmsched.cluster.CatalogProvisioning;
import io.swarmsched.cluster.Ports;
import io.swarmsched.registry.server.RegistryServerConfig;
import io.swarmsched.registry.server.SchemaRegistryServer;
import io.swarmsched.schemas.HostHeartbeat;
import io.swarmsched.schemas.ScheduleRequest;
import io.swarmsched.serde.SerdeConfig;
import io.swarmsched.serde.SpecificAvroSerializer;
import io.swarmsched.topics.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.StreamsGroupDescription;
import org.apache.kafka.clients.admin.StreamsGroupMemberDescription;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;

/**
 * The chaos run: a three-broker KRaft cluster (replication factor 3, {@code min.insync.replicas} 2)
 * and the schema registry, heartbeat-ingest, scoring-streams and N dispatchers each in its own JVM;
 * hosts heartbeat, a bounded stream of schedule requests flows; one dispatcher is killed with
 * {@code kill -9}, later a broker, and the broker is restarted. Then every decision is read {@code
 * read_committed} and counted ({@link ChaosReport}).
 */
public final class ChaosHarness {
  private static final String DISPATCHER_APP_ID = "swarm-dispatcher";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(240);

  /**
   * The broker kill waits at most this long for the killed dispatcher's partitions to decide again
   * (each fault's recovery is measured on its own; issue 13's targets are per fault).
   */
  static final Duration DISPATCHER_RECOVERY_BOUND = Duration.ofSeconds(90);

  private static final List<String> BROKER_JVM = brokerJvm();

  /**
   * The brokers' JVM options; {@code -Dchaos.broker.jvm="-Xmx1g ..."} on the harness JVM replaces
   * them (space-separated), so that a run can measure, e.g., the brokers with C2.
   */
  private static List<String> brokerJvm() {
    String override = System.getProperty("chaos.broker.jvm");
    if (override != null && !override.isBlank()) {
      return List.of(override.trim().split("\\s+"));
    }
    return List.of(
        "-Xms128m",
        "-Xmx768m",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-Djava.awt.headless=true");
  }

  private final ChaosOptions options;
  private final Consumer<String> progress;
  private final long t0 = System.nanoTime();

  public ChaosHarness(ChaosOptions options, Consumer<String> progress) {
    this.options = options;
    this.progress = progress;
  }

  private void say(String format, Object... args) {
    progress.accept(
        String.format("[chaos %6.1fs] ", (System.nanoTime() - t0) / 1e9)
            + String.format(format, args));
  }

  public ChaosReport run() throws Exception {
    Path work = options.workDir();
    Files.createDirectories(work);
    String runId = Long.toString(System.currentTimeMillis(), 36);
    Workload workload = new Workload(runId);

    List<BrokerNode> brokers = new ArrayList<>();
    List<ServiceProcess> services = new ArrayList<>();
    SchemaRegistryServer registry = null;
    ScheduledExecutorService faults =
        Executors.newScheduledThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "chaos-faults");
              t.setDaemon(true);
              return t;
            });
    Heartbeats heartbeats = null;
    try {
      // ---- cluster
      String clusterId = Uuid.randomUuid().toString();
      int[] ports = new int[ChaosOptions.BROKERS];
      int[] controllerPorts = new int[ChaosOptions.BROKERS];
      Set<Integer> taken = new HashSet<>();
      for (int i = 0; i < ChaosOptions.BROKERS; i++) {
        ports[i] = freePort(taken);
        controllerPorts[i] = freePort(taken);
      }
      StringBuilder voters = new StringBuilder();
      for (int i = 0; i < ChaosOptions.BROKERS; i++) {
        voters
            .append(i == 0 ? "" : ",")
            .append(i + 1)
            .append("@localhost:")
            .append(controllerPorts[i]);
      }
      for (int i = 0; i < ChaosOptions.BROKERS; i++) {
        brokers.add(
            new BrokerNode(
                i + 1,
                ports[i],
                controllerPorts[i],
                work.resolve("broker-" + (i + 1)),
                voters.toString(),
                clusterId,
                BROKER_JVM));
      }
      String bootstrap = brokers.stream().map(BrokerNode::address).collect(Collectors.joining(","));
      for (BrokerNode b : brokers) {
        b.start(ChaosOptions.REPLICATION, ChaosOptions.MIN_INSYNC);
      }
      say(
          "starting %d KRaft brokers (replication factor %d, min.insync.replicas %d) at %s, data in %s",
          brokers.size(), ChaosOptions.REPLICATION, ChaosOptions.MIN_INSYNC, bootstrap, work);
      try (Admin admin = admin(bootstrap)) {
        awaitBrokers(admin, brokers, brokers.size(), START_TIMEOUT);
        say("%d brokers answer", brokers.size());
        CatalogProvisioning.provisionTopics(
            bootstrap, Optional.of((short) ChaosOptions.REPLICATION), Duration.ofSeconds(60));
        registry =
            SchemaRegistryServer.start(
                new RegistryServerConfig(bootstrap, "127.0.0.1", 0, "_schemas"));
        CatalogProvisioning.registerSchemas(registry.url(), Duration.ofSeconds(60));
        int requestPartitions =
            admin
                .describeTopics(List.of(Topics.SCHEDULE_REQUESTS.name()))
                .allTopicNames()
                .get(60, TimeUnit.SECONDS)
                .get(Topics.SCHEDULE_REQUESTS.name())
                .partitions()
                .size();
        say(
            "catalog topics at replication factor %d, registry %s, %d request partitions",
            ChaosOptions.REPLICATION, registry.url(), requestPartitions);

        // ---- services
        List<String> serviceJvm = ServiceProcess.jvmOptions(work);
        Map<String, String> common = new LinkedHashMap<>();
        common.put("swarm.bootstrap.servers", bootstrap);
        common.put("swarm.schema.registry.url", registry.url());
        // the services' own durability settings, through their generic pass-through: internal
        // topics (changelogs, repartition topics) on three brokers, every write acknowledged by the
        // ISR
        common.put("swarm.streams.replication.factor", Integer.toString(ChaosOptions.REPLICATION));
        common.put("swarm.streams.producer.acks", "all");
        common.putAll(options.serviceSettings());
        services.add(startService("ingest", "ingest", common, serviceJvm, work, taken));
        services.add(startService("score", "score", common, serviceJvm, work, taken));
        for (ServiceProcess s : services) {
          s.awaitHealthy(START_TIMEOUT);
        }
        say(
            "heartbeat-ingest and scoring-streams running (%s)",
            ServiceProcess.viaCli()
                ? "as swarmsched ingest/score"
                : "through their own main classes: the cli is not on the classpath");

        heartbeats = new Heartbeats(bootstrap, registry.url(), workload, options.hosts());
        heartbeats.start();
        awaitHostsKnown(bootstrap, workload, options.hosts(), START_TIMEOUT);
        say("%d hosts heartbeat every 3 s and are in swarm.hosts.v1", options.hosts());

        List<ServiceProcess> dispatchers = new ArrayList<>();
        for (int i = 1; i <= options.dispatchers(); i++) {
          ServiceProcess d =
              startService("dispatcher-" + i, "dispatch", common, serviceJvm, work, taken);
          services.add(d);
          dispatchers.add(d);
        }
        for (ServiceProcess d : dispatchers) {
          d.awaitHealthy(START_TIMEOUT);
        }
        Map<String, Set<Integer>> assigned =
            awaitDispatchersAssigned(admin, dispatchers.size(), Duration.ofSeconds(120));
        say("%d dispatchers running; request partitions %s", dispatchers.size(), assigned);

        // ---- the stream and the faults
        ToPartition partitionOf = new ToPartition(requestPartitions);
        List<FaultRecord> faultLog = java.util.Collections.synchronizedList(new ArrayList<>());
        long sent;
        double sendSeconds;
        double drainSeconds;
        long streamStart;
        try (DecisionTap tap =
                new DecisionTap(
                    bootstrap, registry.url(), workload.requestPrefix(), partitionOf::of);
            KafkaProducer<String, byte[]> producer = producer(bootstrap, "chaos-requests")) {
          SpecificAvroSerializer<ScheduleRequest> serializer = serializer(registry.url());
          int killDispatcherAt = (int) Math.round(options.requests() * options.killDispatcherAt());
          int killBrokerAt = (int) Math.round(options.requests() * options.killBrokerAt());
          // the broker is killed no earlier than killBrokerAt, and only once the killed
          // dispatcher's partitions decide again (or DISPATCHER_RECOVERY_BOUND has passed), so that
          // each fault's recovery is measured on its own; if that has not happened halfway through
          // the rest of the stream, the stream holds until it has, so that the broker still dies
          // with requests to come
          int holdBrokerKillAt = killBrokerAt + (options.requests() - killBrokerAt) / 2;
          // likewise the dispatcher is killed once every request partition decides (a dispatcher
          // can answer /health while its tasks still initialise: a kill then would measure
          // start-up, not failover)
          int holdDispatcherKillAt = killDispatcherAt + (killBrokerAt - killDispatcherAt) / 2;
          boolean dispatcherKillStarted = false;
          long held = 0; // nanoseconds the stream was held: the rate resumes after, not a burst
          java.util.concurrent.CompletableFuture<Void> dispatcherSettled =
              new java.util.concurrent.CompletableFuture<>();
          boolean brokerKillStarted = false;
          ServiceProcess victim = dispatchers.get(dispatchers.size() - 1);
          AtomicReference<Throwable> sendFailure = new AtomicReference<>();
          AtomicLong acked = new AtomicLong();
          List<Future<?>> faultJobs = new ArrayList<>();
          SplittableRandom rnd = new SplittableRandom(options.seed());
          String topic = Topics.SCHEDULE_REQUESTS.name();
          streamStart = System.currentTimeMillis();
          long nanos0 = System.nanoTime();
          long lastProgress = nanos0;
          say(
              "sending %,d requests at %d/s over %d tasks from %d hosts",
              options.requests(), options.rate(), options.tasks(), options.hosts());
          for (int i = 0; i < options.requests(); i++) {
            long due = nanos0 + held + (long) (i * 1e9 / options.rate());
            long wait = due - System.nanoTime();
            if (wait > 0) {
              TimeUnit.NANOSECONDS.sleep(wait);
            }
            if (!dispatcherKillStarted
                && i >= killDispatcherAt
                && (everyPartitionDecided(tap, requestPartitions, streamStart)
                    || i >= holdDispatcherKillAt)) {
              if (!everyPartitionDecided(tap, requestPartitions, streamStart)) {
                say(
                    "holding the stream after %,d requests until every request partition has"
                        + " decided",
                    i);
                long holdStart = System.nanoTime();
                long deadline = holdStart + START_TIMEOUT.toNanos();
                while (!everyPartitionDecided(tap, requestPartitions, streamStart)
                    && System.nanoTime() < deadline) {
                  Thread.sleep(200);
                }
                held += System.nanoTime() - holdStart;
              }
              dispatcherKillStarted = true;
              final int at = i;
              faultJobs.add(
                  faults.submit(
                      () -> {
                        try {
                          FaultRecord kill = killDispatcher(admin, victim, at, streamStart);
                          faultLog.add(kill);
                          awaitDispatcherRecovery(admin, tap, kill, requestPartitions);
                        } finally {
                          dispatcherSettled.complete(null);
                        }
                        return null;
                      }));
            }
            if (!brokerKillStarted
                && i >= killBrokerAt
                && (dispatcherSettled.isDone() || i >= holdBrokerKillAt)) {
              if (!dispatcherSettled.isDone()) {
                say(
                    "holding the stream after %,d requests until the dispatcher kill has been"
                        + " recovered from",
                    i);
                long holdStart = System.nanoTime();
                dispatcherSettled.get(
                    DISPATCHER_RECOVERY_BOUND.toSeconds() + START_TIMEOUT.toSeconds(),
                    TimeUnit.SECONDS);
                held += System.nanoTime() - holdStart;
              }
              brokerKillStarted = true;
              final int at = i;
              faultJobs.add(
                  faults.submit(
                      () -> {
                        faultLog.addAll(killAndRestartBroker(admin, brokers, at, streamStart));
                        return null;
                      }));
            }
            ScheduleRequest request =
                workload.request(i, options.tasks(), options.hosts(), rnd, Instant.now());
            producer.send(
                new ProducerRecord<>(
                    topic, request.getTaskId(), serializer.serialize(topic, request)),
                (metadata, e) -> {
                  if (e != null) {
                    sendFailure.compareAndSet(null, e);
                  } else {
                    acked.incrementAndGet();
                  }
                });
            if (System.nanoTime() - lastProgress > 5e9) {
              lastProgress = System.nanoTime();
              say("sent %,d, decided %,d", i + 1, tap.decided());
            }
          }
          producer.flush();
          if (sendFailure.get() != null) {
            throw new IllegalStateException(
                "a schedule request could not be sent: " + sendFailure.get(), sendFailure.get());
          }
          sent = acked.get();
          sendSeconds = (System.nanoTime() - nanos0) / 1e9;
          say(
              "all %,d requests sent and acknowledged in %.1f s; decided %,d",
              sent, sendSeconds, tap.decided());
          String guarantee = processingGuarantee(admin);
          say("dispatcher processing guarantee as the brokers see it: %s", guarantee);
          for (Future<?> job : faultJobs) {
            try {
              job.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (ExecutionException e) {
              throw new IllegalStateException("a fault step failed: " + e.getCause(), e.getCause());
            }
          }
          long drainStart = System.nanoTime();
          long drainDeadline = drainStart + options.drainTimeout().toNanos();
          lastProgress = drainStart;
          while (tap.decided() < sent && System.nanoTime() < drainDeadline) {
            if (tap.failure() != null) {
              throw new IllegalStateException(
                  "the decision tap failed: " + tap.failure(), tap.failure());
            }
            TimeUnit.MILLISECONDS.sleep(200);
            if (System.nanoTime() - lastProgress > 5e9) {
              lastProgress = System.nanoTime();
              say("draining: decided %,d of %,d", tap.decided(), sent);
            }
          }
          drainSeconds = (System.nanoTime() - drainStart) / 1e9;
          say("decided %,d of %,d after %.1f s of draining", tap.decided(), sent, drainSeconds);
          List<DecisionTap.Seen> seen = tap.seen();
          List<ChaosReport.Fault> faultReports = new ArrayList<>();
          synchronized (faultLog) {
            faultLog.sort((a, b) -> Long.compare(a.atMillis, b.atMillis));
            for (FaultRecord f : faultLog) {
              faultReports.add(f.measure(seen, requestPartitions, streamStart));
            }
          }
          heartbeats.close();
          heartbeats = null;

          DecisionAudit audit =
              DecisionAudit.read(
                  bootstrap, registry.url(), workload.requestPrefix(), Duration.ofSeconds(120));
          return report(
              audit,
              sent,
              faultReports,
              sendSeconds,
              drainSeconds,
              guarantee,
              requestPartitions,
              timeline(seen, streamStart, requestPartitions));
        }
      }
    } finally {
      faults.shutdownNow();
      if (heartbeats != null) {
        heartbeats.close();
      }
      // the dispatchers first (they commit through the brokers), the brokers last
      for (int i = services.size() - 1; i >= 0; i--) {
        services.get(i).close();
      }
      if (registry != null) {
        registry.close();
      }
      for (BrokerNode b : brokers) {
        b.close();
      }
    }
  }

  private ChaosReport report(
      DecisionAudit audit,
      long sent,
      List<ChaosReport.Fault> faults,
      double sendSeconds,
      double drainSeconds,
      String guarantee,
      int requestPartitions,
      Map<String, Object> timeline) {
    long onTopic = audit.requestsOnTopic.size();
    long inputDuplicates = audit.requestsOnTopic.values().stream().filter(n -> n > 1).count();
    List<String> lost =
        audit.requestsOnTopic.keySet().stream()
            .filter(id -> !audit.byRequest.containsKey(id))
            .sorted()
            .toList();
    List<String> twice = audit.deliveredTwice();
    List<String> differently = audit.decidedTwiceDifferently();
    Map<String, Object> setup = new LinkedHashMap<>();
    setup.put("brokers", ChaosOptions.BROKERS);
    setup.put("replication.factor", ChaosOptions.REPLICATION);
    setup.put("min.insync.replicas", ChaosOptions.MIN_INSYNC);
    setup.put("dispatchers", options.dispatchers());
    setup.put("dispatcher.processing.guarantee", guarantee);
    setup.put("requests", options.requests());
    setup.put("rate", options.rate());
    setup.put("hosts", options.hosts());
    setup.put("tasks", options.tasks());
    setup.put("request.partitions", requestPartitions);
    setup.put(
        "services.via",
        ServiceProcess.viaCli() ? "swarmsched ingest/score/dispatch" : "service main classes");
    setup.put("service.settings", options.serviceSettings());
    Map<String, Object> evidence = new LinkedHashMap<>();
    evidence.put("lost", lost.stream().limit(200).toList());
    Map<String, Object> dup = new LinkedHashMap<>();
    for (String id : differently.stream().limit(50).toList()) {
      dup.put(id, audit.byRequest.get(id));
    }
    evidence.put("decidedTwiceDifferently", dup);
    Map<String, Object> again = new LinkedHashMap<>();
    for (String id : twice.stream().limit(50).toList()) {
      again.put(id, audit.byRequest.get(id));
    }
    evidence.put("deliveredTwice", again);
    evidence.put(
        "inputDuplicates",
        audit.requestsOnTopic.entrySet().stream()
            .filter(e -> e.getValue() > 1)
            .map(Map.Entry::getKey)
            .sorted()
            .limit(50)
            .toList());
    evidence.put("decisionRecordsRead", audit.decisionRecords);
    evidence.put("timeline", timeline);
    long decided =
        audit.requestsOnTopic.keySet().stream().filter(audit.byRequest::containsKey).count();
    return new ChaosReport(
        setup,
        sent,
        onTopic,
        inputDuplicates,
        decided,
        lost.size(),
        differently.size(),
        twice.size(),
        audit.outcomes,
        audit.seedTriggers,
        audit.otherDecisions,
        faults,
        sendSeconds,
        drainSeconds,
        (System.nanoTime() - t0) / 1e9,
        evidence);
  }

  /**
   * Decisions a read_committed reader got per 10 s from the start of the stream, in all and per
   * request partition: shows whether a long recovery was a stalled partition or a backlog.
   */
  private static Map<String, Object> timeline(
      List<DecisionTap.Seen> seen, long streamStart, int partitions) {
    int buckets = 1;
    for (DecisionTap.Seen s : seen) {
      buckets = Math.max(buckets, (int) ((s.atMillis() - streamStart) / 10_000) + 1);
    }
    long[] all = new long[buckets];
    long[][] perPartition = new long[partitions][buckets];
    for (DecisionTap.Seen s : seen) {
      int b = (int) Math.max(0, (s.atMillis() - streamStart) / 10_000);
      all[b]++;
      perPartition[s.requestPartition()][b]++;
    }
    Map<String, Object> timeline = new LinkedHashMap<>();
    timeline.put("bucketSeconds", 10);
    timeline.put("all", all);
    Map<String, long[]> parts = new LinkedHashMap<>();
    for (int p = 0; p < partitions; p++) {
      parts.put(Integer.toString(p), perPartition[p]);
    }
    timeline.put("perRequestPartition", parts);
    return timeline;
  }

  // ------------------------------------------------------------------ faults

  /** A fault and what is needed to measure recovery from it. */
  /**
   * A fault and when it happened. {@code decisionEnds} are the decisions topic's end offsets
   * (read_uncommitted) right at the fault, when they could be read: a decision below them was
   * written before the fault, and one that only becomes visible after it (the reader was behind, or
   * its transaction committed just then) does not show that anything decides again. Empty: every
   * decision seen after the fault counts.
   */
  record FaultRecord(
      String kind,
      String target,
      long atMillis,
      long afterRequests,
      Set<Integer> killedPartitions,
      String detail,
      Map<Integer, Long> decisionEnds) {
    FaultRecord(
        String kind,
        String target,
        long atMillis,
        long afterRequests,
        Set<Integer> killedPartitions,
        String detail) {
      this(kind, target, atMillis, afterRequests, killedPartitions, detail, Map.of());
    }

    ChaosReport.Fault measure(List<DecisionTap.Seen> seen, int partitions, long streamStart) {
      long first = -1;
      long[] firstPerPartition = new long[partitions];
      java.util.Arrays.fill(firstPerPartition, -1);
      for (DecisionTap.Seen s : seen) {
        if (s.atMillis() < atMillis || !s.writtenFrom(decisionEnds)) {
          continue;
        }
        long delay = s.atMillis() - atMillis;
        if (first < 0 || delay < first) {
          first = delay;
        }
        int p = s.requestPartition();
        if (firstPerPartition[p] < 0 || delay < firstPerPartition[p]) {
          firstPerPartition[p] = delay;
        }
      }
      long all = 0;
      for (long d : firstPerPartition) {
        all = d < 0 || all < 0 ? -1 : Math.max(all, d);
      }
      long killed = killedPartitions.isEmpty() ? -1 : 0;
      for (int p : killedPartitions) {
        long d = firstPerPartition[p];
        killed = d < 0 || killed < 0 ? -1 : Math.max(killed, d);
      }
      return new ChaosReport.Fault(
          kind,
          target,
          (atMillis - streamStart) / 1000.0,
          afterRequests,
          first,
          all,
          List.copyOf(new TreeSet<>(killedPartitions)),
          killed,
          java.util.Arrays.stream(firstPerPartition).boxed().toList(),
          detail);
    }
  }

  private FaultRecord killDispatcher(
      Admin admin, ServiceProcess victim, int afterRequests, long streamStart)
      throws InterruptedException {
    Set<Integer> owned = requestPartitionsOf(admin, victim.name);
    long pid = victim.pid();
    long at = System.currentTimeMillis();
    victim.kill();
    // read right after the kill: whatever is below these was written before it (or in the
    // milliseconds after it, by a survivor, which makes the measure longer, never shorter)
    Map<Integer, Long> ends = decisionEnds(admin);
    say(
        "kill -9 %s (pid %d) after %,d requests; it owned request partitions %s",
        victim.name, pid, afterRequests, owned.isEmpty() ? "(unknown)" : owned);
    return new FaultRecord(
        "kill dispatcher",
        victim.name + " pid " + pid,
        at,
        afterRequests,
        owned,
        ends.isEmpty()
            ? "counting every decision seen after the kill (the decisions topic's end offsets"
                + " could not be read)"
            : "counting decisions written after the kill (the decisions topic's end offsets at"
                + " the kill)",
        ends);
  }

  /**
   * The decisions topic's end offsets (read_uncommitted: what has been written, committed or not),
   * by partition; empty if they cannot be read within a few seconds.
   */
  private static Map<Integer, Long> decisionEnds(Admin admin) {
    try {
      String topic = Topics.SCHEDULE_DECISIONS.name();
      Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> request = new HashMap<>();
      for (var p :
          admin
              .describeTopics(List.of(topic))
              .allTopicNames()
              .get(5, TimeUnit.SECONDS)
              .get(topic)
              .partitions()) {
        request.put(
            new TopicPartition(topic, p.partition()),
            org.apache.kafka.clients.admin.OffsetSpec.latest());
      }
      Map<Integer, Long> ends = new TreeMap<>();
      admin
          .listOffsets(
              request,
              new org.apache.kafka.clients.admin.ListOffsetsOptions(
                  org.apache.kafka.common.IsolationLevel.READ_UNCOMMITTED))
          .all()
          .get(5, TimeUnit.SECONDS)
          .forEach((tp, info) -> ends.put(tp.partition(), info.offset()));
      return ends;
    } catch (Exception e) {
      if (e instanceof InterruptedException) Thread.currentThread().interrupt();
      return Map.of();
    }
  }

  private static boolean everyPartitionDecided(
      DecisionTap tap, int requestPartitions, long sinceMillis) {
    for (int p = 0; p < requestPartitions; p++) {
      if (!tap.decidedSince(p, sinceMillis)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Returns once every request partition the killed dispatcher owned (every partition, if that was
   * not known) has decided again and the dispatcher group is stable, or after {@link
   * #DISPATCHER_RECOVERY_BOUND}.
   */
  private void awaitDispatcherRecovery(
      Admin admin, DecisionTap tap, FaultRecord kill, int requestPartitions)
      throws InterruptedException {
    Set<Integer> watched = new TreeSet<>(kill.killedPartitions());
    if (watched.isEmpty()) {
      for (int p = 0; p < requestPartitions; p++) {
        watched.add(p);
      }
    }
    long deadline = System.nanoTime() + DISPATCHER_RECOVERY_BOUND.toNanos();
    while (System.nanoTime() < deadline) {
      if (watched.stream().allMatch(p -> tap.decidedSince(p, kill.atMillis(), kill.decisionEnds()))
          && activePartitions(admin).isPresent()) {
        say(
            "request partitions %s decide again and the dispatcher group is stable, %.1f s after"
                + " the dispatcher kill",
            watched, (System.currentTimeMillis() - kill.atMillis()) / 1e3);
        return;
      }
      Thread.sleep(200);
    }
    say(
        "request partitions %s did not all decide again within %d s of the dispatcher kill; going"
            + " on with the broker kill",
        watched, DISPATCHER_RECOVERY_BOUND.toSeconds());
  }

  private List<FaultRecord> killAndRestartBroker(
      Admin admin, List<BrokerNode> brokers, int afterRequests, long streamStart) throws Exception {
    BrokerNode victim = chooseBroker(admin, brokers);
    long pid = victim.pid();
    // read just before the kill (after it, the killed broker's partitions cannot answer): a
    // decision written in the milliseconds between counts as after the kill
    Map<Integer, Long> ends = decisionEnds(admin);
    long killedAt = System.currentTimeMillis();
    victim.kill();
    say(
        "kill -9 broker %d (pid %d) after %,d requests; restart in %d s",
        victim.id, pid, afterRequests, options.brokerDownFor().toSeconds());
    FaultRecord kill =
        new FaultRecord(
            "kill broker",
            "broker-" + victim.id + " pid " + pid,
            killedAt,
            afterRequests,
            Set.of(),
            ends.isEmpty()
                ? "counting every decision seen after the kill (the decisions topic's end offsets"
                    + " could not be read)"
                : "counting decisions written after the kill (the decisions topic's end offsets"
                    + " just before it)",
            ends);
    Thread.sleep(options.brokerDownFor().toMillis());
    int underReplicated = underReplicated(admin);
    long restartedAt = System.currentTimeMillis();
    victim.start(ChaosOptions.REPLICATION, ChaosOptions.MIN_INSYNC);
    say(
        "restarting broker %d (pid %d); %d catalog partitions have fewer than %d in-sync replicas",
        victim.id, victim.pid(), underReplicated, ChaosOptions.REPLICATION);
    try (Admin alone = admin(victim.address())) {
      // the restarted broker itself answers (the others' view may still list it)
      awaitBrokers(alone, List.of(victim), 1, START_TIMEOUT);
    }
    long answered = System.currentTimeMillis() - restartedAt;
    long inSync = awaitFullIsr(admin, Duration.ofSeconds(120));
    long inSyncMs = inSync < 0 ? -1 : inSync - restartedAt;
    say(
        "broker %d answers again after %d ms; every catalog partition has 3 in-sync replicas %s",
        victim.id, answered, inSyncMs < 0 ? "NOT within 120 s" : "after " + inSyncMs + " ms");
    FaultRecord restart =
        new FaultRecord(
            "restart broker",
            "broker-" + victim.id,
            restartedAt,
            -1,
            Set.of(),
            underReplicated
                + " catalog partitions under-replicated at the restart; broker answered after "
                + answered
                + " ms; all catalog partitions back to "
                + ChaosOptions.REPLICATION
                + " in-sync replicas after "
                + (inSyncMs < 0 ? "more than 120000" : inSyncMs)
                + " ms");
    return List.of(kill, restart);
  }

  /** The broker that is the active KRaft controller: the harshest single broker to lose. */
  private BrokerNode chooseBroker(Admin admin, List<BrokerNode> brokers) {
    try {
      int leader = admin.describeMetadataQuorum().quorumInfo().get(10, TimeUnit.SECONDS).leaderId();
      for (BrokerNode b : brokers) {
        if (b.id == leader) {
          return b;
        }
      }
    } catch (Exception e) {
      say("cannot ask for the quorum leader (%s); killing broker 2", e.getMessage());
    }
    return brokers.get(1);
  }

  /**
   * The request partitions the dispatcher {@code name} runs as active tasks, from its group's
   * assignment: a Streams group (Kafka 4's streams rebalance protocol) or a classic consumer group
   * (client id {@code swarm-dispatcher-<name>-StreamThread-...}). Empty when neither answers.
   */
  private Set<Integer> requestPartitionsOf(Admin admin, String name) {
    Optional<Map<String, Set<Integer>>> owners = activePartitions(admin);
    if (owners.isEmpty()) {
      say(
          "cannot read the dispatcher group's assignment; recovery is measured over all partitions");
      return Set.of();
    }
    return owners.get().getOrDefault(name, Set.of());
  }

  /** Instance name → active request partitions, for every member of the dispatcher group. */
  private static Optional<Map<String, Set<Integer>>> activePartitions(Admin admin) {
    Map<String, Set<Integer>> owners = new LinkedHashMap<>();
    try {
      StreamsGroupDescription group =
          admin
              .describeStreamsGroups(List.of(DISPATCHER_APP_ID))
              .describedGroups()
              .get(DISPATCHER_APP_ID)
              .get(10, TimeUnit.SECONDS);
      if (group.groupState() != GroupState.STABLE) {
        return Optional.empty();
      }
      for (StreamsGroupMemberDescription m : group.members()) {
        Set<Integer> owned = owners.computeIfAbsent(instanceOf(m.clientId()), k -> new TreeSet<>());
        // every sub-topology of the dispatcher is co-partitioned with the requests topic: task
        // partition n reads request partition n
        m.assignment().activeTasks().forEach(t -> owned.addAll(t.partitions()));
      }
      return Optional.of(owners);
    } catch (Exception streamsGroupUnknown) {
      // not a streams group: try the classic protocol
    }
    try {
      ConsumerGroupDescription group =
          admin
              .describeConsumerGroups(List.of(DISPATCHER_APP_ID))
              .describedGroups()
              .get(DISPATCHER_APP_ID)
              .get(10, TimeUnit.SECONDS);
      if (group.groupState() != GroupState.STABLE) {
        return Optional.empty();
      }
      for (MemberDescription m : group.members()) {
        Set<Integer> owned = owners.computeIfAbsent(instanceOf(m.clientId()), k -> new TreeSet<>());
        for (TopicPartition tp : m.assignment().topicPartitions()) {
          if (tp.topic().equals(Topics.SCHEDULE_REQUESTS.name())) {
            owned.add(tp.partition());
          }
        }
      }
      return Optional.of(owners);
    } catch (Exception e) {
      return Optional.empty();
    }
  }

  /** {@code swarm-dispatcher-dispatcher-2-StreamThread-1-consumer} → {@code dispatcher-2}. */
  private static String instanceOf(String clientId) {
    String rest =
        clientId.startsWith(DISPATCHER_APP_ID + "-")
            ? clientId.substring(DISPATCHER_APP_ID.length() + 1)
            : clientId;
    int thread = rest.indexOf("-StreamThread");
    return thread < 0 ? rest : rest.substring(0, thread);
  }

  /**
   * Waits until the dispatcher group is stable with every instance owning request partitions, so
   * the stream starts on a settled group and a kill's recovery is not mixed up with start-up.
   */
  private Map<String, Set<Integer>> awaitDispatchersAssigned(
      Admin admin, int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Optional<Map<String, Set<Integer>>> last = Optional.empty();
    while (System.nanoTime() < deadline) {
      last = activePartitions(admin);
      if (last.isPresent()
          && last.get().size() == count
          && last.get().values().stream().noneMatch(Set::isEmpty)) {
        return last.get();
      }
      Thread.sleep(500);
    }
    say(
        "the dispatcher group did not settle with %d assigned instances within %d s (last seen: %s); going on",
        count, timeout.toSeconds(), last.map(Object::toString).orElse("no stable group"));
    return last.orElse(Map.of());
  }

  /**
   * The dispatchers' effective guarantee, from the broker's side: under exactly_once_v2 every
   * stream thread has a transactional id {@code swarm-dispatcher-<process>-<thread>}; at_least_once
   * has none.
   */
  private static String processingGuarantee(Admin admin) {
    try {
      long transactional =
          admin.listTransactions().all().get(10, TimeUnit.SECONDS).stream()
              .filter(t -> t.transactionalId().startsWith(DISPATCHER_APP_ID + "-"))
              .count();
      return transactional > 0
          ? "exactly_once_v2 (" + transactional + " transactional ids)"
          : "at_least_once (no transactional id)";
    } catch (Exception e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }

  /**
   * Catalog partitions with fewer in-sync replicas than the replication factor; -1 if the cluster
   * does not say.
   */
  private static int underReplicated(Admin admin) {
    try {
      return (int)
          admin
              .describeTopics(Topics.ALL.stream().map(t -> t.name()).toList())
              .allTopicNames()
              .get(10, TimeUnit.SECONDS)
              .values()
              .stream()
              .flatMap(t -> t.partitions().stream())
              .filter(p -> p.isr().size() < ChaosOptions.REPLICATION)
              .count();
    } catch (Exception e) {
      return -1;
    }
  }

  /**
   * Wall-clock millis when every catalog partition has all its replicas in sync, -1 if not within
   * timeout.
   */
  private static long awaitFullIsr(Admin admin, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> names = Topics.ALL.stream().map(t -> t.name()).toList();
    while (System.nanoTime() < deadline) {
      try {
        Map<String, TopicDescription> topics =
            admin.describeTopics(names).allTopicNames().get(10, TimeUnit.SECONDS);
        boolean full =
            topics.values().stream()
                .flatMap(t -> t.partitions().stream())
                .allMatch(p -> p.isr().size() == ChaosOptions.REPLICATION);
        if (full) {
          return System.currentTimeMillis();
        }
      } catch (Exception e) {
        // the cluster may still be electing; ask again
      }
      Thread.sleep(250);
    }
    return -1;
  }

  // ------------------------------------------------------------------ start-up

  private static int freePort(Set<Integer> taken) {
    while (true) {
      int port = Ports.findFree();
      if (taken.add(port)) {
        return port;
      }
    }
  }

  private ServiceProcess startService(
      String name,
      String command,
      Map<String, String> common,
      List<String> jvm,
      Path work,
      Set<Integer> taken) {
    ServiceProcess s =
        ServiceProcess.startInstance(name, command, freePort(taken), common, jvm, work);
    say("started %s (pid %d), HTTP on %d, log %s", name, s.pid(), s.httpPort, s.log());
    return s;
  }

  private static void awaitBrokers(
      Admin admin, List<BrokerNode> brokers, int count, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      for (BrokerNode b : brokers) {
        if (!b.isAlive()) {
          throw new IllegalStateException("broker " + b.id + " exited; see " + b.logs());
        }
      }
      try {
        if (admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() >= count) {
          return;
        }
      } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
        // not yet
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            count + " brokers did not answer within " + timeout.toSeconds() + " s");
      }
      Thread.sleep(500);
    }
  }

  /**
   * Waits until heartbeat-ingest has published a host state for every host: the dispatchers will
   * know them.
   */
  private static void awaitHostsKnown(
      String bootstrap, Workload workload, int hosts, Duration timeout) {
    Set<String> known = new HashSet<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                ConsumerConfig.CLIENT_ID_CONFIG,
                "chaos-hosts-check"),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(Topics.HOSTS.name(), timeout).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (known.size() < hosts) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "heartbeat-ingest published "
                  + known.size()
                  + " of "
                  + hosts
                  + " hosts within "
                  + timeout.toSeconds()
                  + " s");
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          if (r.value() != null && r.key() != null && r.key().startsWith("chaos-host-")) {
            known.add(r.key());
          }
        }
      }
    }
  }

  // ------------------------------------------------------------------ clients

  static Admin admin(String bootstrap) {
    return Admin.create(
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000));
  }

  /** acks=all and idempotent: a retried send after a broker dies is written once. */
  static KafkaProducer<String, byte[]> producer(String bootstrap, String clientId) {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrap,
            ProducerConfig.CLIENT_ID_CONFIG,
            clientId,
            ProducerConfig.ACKS_CONFIG,
            "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
            true,
            ProducerConfig.LINGER_MS_CONFIG,
            5,
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
            300_000),
        new StringSerializer(),
        new ByteArraySerializer());
  }

  static <T extends org.apache.avro.specific.SpecificRecord> SpecificAvroSerializer<T> serializer(
      String registryUrl) {
    SpecificAvroSerializer<T> s = new SpecificAvroSerializer<>();
    s.configure(Map.of(SerdeConfig.SCHEMA_REGISTRY_URL, registryUrl), false);
    return s;
  }

  /** The request partition of a task id, as the producer's default partitioner picks it. */
  private record ToPartition(int partitions) {
    int of(String taskId) {
      return Utils.toPositive(
              Utils.murmur2(taskId.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
          % partitions;
    }
  }

  /**
   * Every host heartbeats every 3 s, as its agent would, from before the first request to the end.
   */
  private static final class Heartbeats implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final SpecificAvroSerializer<HostHeartbeat> serializer;
    private final Workload workload;
    private final int hosts;
    private final ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "chaos-heartbeats");
              t.setDaemon(true);
              return t;
            });
    private long sequence;

    Heartbeats(String bootstrap, String registryUrl, Workload workload, int hosts) {
      this.producer = producer(bootstrap, "chaos-heartbeats");
      this.serializer = serializer(registryUrl);
      this.workload = workload;
      this.hosts = hosts;
    }

    void start() {
      timer.scheduleAtFixedRate(this::beat, 0, 3, TimeUnit.SECONDS);
    }

    private void beat() {
      sequence++;
      Instant now = Instant.now();
      String topic = Topics.HOST_HEARTBEATS.name();
      for (int i = 0; i < hosts; i++) {
        HostHeartbeat hb = workload.heartbeat(i, sequence, now);
        // a failed heartbeat (broker down) is what an agent would shrug off too: the next one
        // follows
        producer.send(new ProducerRecord<>(topic, hb.getHostId(), serializer.serialize(topic, hb)));
      }
    }

    @Override
    public void close() {
      timer.shutdownNow();
      producer.close(Duration.ofSeconds(10));
    }
  }
}
