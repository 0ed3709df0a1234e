package io.swarmsched.dispatcher.topology;

import io.swarmsched.dispatcher.state.DecisionBytes;
import io.swarmsched.dispatcher.state.StoredDecision;
import io.swarmsched.dispatcher.state.StoredDecisionSerde;
import io.swarmsched.registry.client.MockSchemaRegistry;
import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.DecisionProvenance;
import io.swarmsched.schemas.ParentCandidate;
import io.swarmsched.schemas.ParentInput;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.serde.SpecificAvroSerde;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Thread CPU per new decision for its two encodings, the decision store's value and the decisions
 * topic's record: each encoded on its own (before), and the topic's reusing the store's Avro body
 * (DecisionSerializer). Decisions shaped as the dispatcher makes them on 10-peer tasks (4 parents,
 * provenance with the settings, positions of 6 partitions per table, 3 input positions). In the
 * dispatcher's topology package (DecisionSerializer is package-private). Not part of the harness.
 *
 * <p>java -cp "/tmp/dec:DISPATCHER_CLASSPATH" io.swarmsched.dispatcher.topology.DecisionEncodeCpu
 * DECISIONS ROUNDS
 */
public class DecisionEncodeCpu {
  static final String TOPIC = "swarm.schedule-decisions.v1";

  public static void main(String[] a) {
    int n = Integer.parseInt(a[0]);
    int rounds = Integer.parseInt(a[1]);
    SpecificAvroSerde<ScheduleDecision> avro =
        SpecificAvroSerde.of(
            ScheduleDecision.class,
            Map.of("schema.registry.url", MockSchemaRegistry.MOCK_URL_PREFIX + "dec"));
    Serializer<ScheduleDecision> registry = avro.serializer();
    StoredDecisionSerde plainStore = new StoredDecisionSerde();
    DecisionBytes bytes = new DecisionBytes();
    StoredDecisionSerde store = new StoredDecisionSerde(bytes);
    DecisionSerializer once = new DecisionSerializer(registry, bytes);
    List<ScheduleDecision> decisions = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      decisions.add(decision(i));
    }
    // the same bytes either way
    for (ScheduleDecision d : decisions) {
      byte[] before = registry.serialize(TOPIC, d);
      store.encode(new StoredDecision(1L, d));
      if (!Arrays.equals(before, once.serialize(TOPIC, d))) {
        throw new AssertionError("different bytes for " + d.getRequestId());
      }
    }
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long sink = 0;
    for (int r = 0; r < rounds; r++) {
      long t0 = mx.getCurrentThreadCpuTime();
      for (ScheduleDecision d : decisions) {
        sink += plainStore.encode(new StoredDecision(1L, d)).length;
        sink += registry.serialize(TOPIC, d).length;
      }
      long t1 = mx.getCurrentThreadCpuTime();
      for (ScheduleDecision d : decisions) {
        sink += store.encode(new StoredDecision(1L, d)).length;
        sink += once.serialize(TOPIC, d).length;
      }
      long t2 = mx.getCurrentThreadCpuTime();
      System.out.printf(
          "round %d: store + topic, each encoded %.2f us; topic reusing the store's body %.2f us"
              + " per decision (%d B on the topic)%n",
          r,
          (t1 - t0) / 1e3 / n,
          (t2 - t1) / 1e3 / n,
          registry.serialize(TOPIC, decisions.get(0)).length);
    }
    System.out.println("(" + sink + ")");
  }

  static ScheduleDecision decision(int i) {
    List<ParentCandidate> parents = new ArrayList<>();
    List<ParentInput> inputs = new ArrayList<>();
    for (int p = 0; p < 4; p++) {
      String host = "host-" + ((i * 7 + p * 13) % 10_000);
      parents.add(
          ParentCandidate.newBuilder()
              .setPeerId("task-" + (i % 2000) + "-peer-" + p)
              .setHostId(host)
              .setPieceServerAddress(host + ":65001")
              .setTotalScore(0.5 + p * 0.01 + i * 1e-6)
              .setIdcAffinity(1.0)
              .setLocationAffinity(0.5)
              .setLoadQuality(0.73 - p * 0.01)
              .setHostTypeScore(0.5)
              .setPeakBandwidthUsage(0.12 + p * 0.03)
              .setBandwidthDurationRatio(0.4)
              .setConcurrentEfficiency(0.9)
              .build());
      inputs.add(
          ParentInput.newBuilder()
              .setHostId(host)
              .setHostVersion(1_765_000_000_000L + i)
              .setScoreVersion(1_765_000_000_500L + i)
              .build());
    }
    Map<String, String> settings = new TreeMap<>();
    settings.put("swarm.dispatcher.policy", "load-aware");
    settings.put("swarm.dispatcher.candidate.limit", "40");
    settings.put("swarm.dispatcher.parents.max", "4");
    settings.put("swarm.dispatcher.weights.load-quality", "0.6");
    settings.put("swarm.dispatcher.weights.idc-affinity", "0.2");
    settings.put("swarm.dispatcher.weights.location-affinity", "0.1");
    settings.put("swarm.dispatcher.weights.host-type", "0.1");
    List<Long> positions = List.of(1_000L + i, 2_000L, 3_000L, 4_000L, 5_000L, 6_000L);
    Map<String, Long> inputPositions = new TreeMap<>();
    inputPositions.put("swarm.schedule-requests.v1-" + (i % 6), 10_000L + i);
    inputPositions.put("swarm.peer-events.v1-" + (i % 6), 20_000L + i);
    inputPositions.put("swarm.piece-events.v1-" + (i % 6), 30_000L + i);
    return ScheduleDecision.newBuilder()
        .setDecisionId(String.format("%032x", i * 0x9E3779B97F4A7C15L))
        .setRequestId("bench-req-" + i)
        .setTaskId("task-" + (i % 2000))
        .setPeerId("task-" + (i % 2000) + "-peer-" + (i % 10))
        .setTargetHostId("host-" + (i % 10_000))
        .setRequesterHostId("host-" + (i % 10_000))
        .setOutcome(DecisionOutcome.PARENTS)
        .setParents(parents)
        .setUrl("https://origin.example/blob/" + (i % 2000))
        .setReason(null)
        .setAttempt(1)
        .setPolicyId("load-aware")
        .setDecidedAt(Instant.ofEpochMilli(1_765_000_001_000L + i))
        .setProvenance(
            DecisionProvenance.newBuilder()
                .setHostsAsOf(1_765_000_000_900L)
                .setScoresAsOf(1_765_000_000_950L)
                .setParentInputs(inputs)
                .setPolicy("load-aware")
                .setSettings(settings)
                .setHostsPositions(positions)
                .setScoresPositions(positions)
                .setInput("swarm.schedule-requests.v1-" + (i % 6) + "@" + (10_000 + i))
                .setInputPositions(inputPositions)
                .build())
        .build();
  }
}
