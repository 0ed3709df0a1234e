package io.swarmsched.dispatcher.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.swarmsched.dispatcher.DispatcherConfig;
import io.swarmsched.dispatcher.topology.DispatcherTopology;
import io.swarmsched.registry.client.MockSchemaRegistry;
import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.schemas.ScheduleRequest;
import io.swarmsched.serde.SpecificAvroSerde;
import io.swarmsched.topics.Topics;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dispatcher's decision metrics, observed from what its topology forwards: after a known
 * sequence of requests, {@code swarmsched_decisions_total} has exactly one sample per decision sent
 * with the right outcome, reason code and policy, and the latency histogram timed each request
 * once.
 */
class DecisionMetricsTest {
  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  final String scope = "metrics-" + UUID.randomUUID();
  final DecisionMetrics metrics = new DecisionMetrics(registry);
  TopologyTestDriver driver;
  TestInputTopic<String, ScheduleRequest> requests;
  TestOutputTopic<String, ScheduleDecision> decisions;

  @BeforeEach
  void start() throws Exception {
    DispatcherConfig config =
        DispatcherConfig.from(
            Map.of(
                DispatcherConfig.SCHEMA_REGISTRY_URL,
                MockSchemaRegistry.MOCK_URL_PREFIX + scope,
                DispatcherConfig.APPLICATION_ID,
                "dispatcher-metrics-test"));
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(
        StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("dispatcher-metrics").toString());
    props.put(DecisionMetrics.CONFIG_KEY, metrics);
    driver = new TopologyTestDriver(DispatcherTopology.build(config), props);
    requests =
        driver.createInputTopic(
            Topics.SCHEDULE_REQUESTS.name(),
            new StringSerializer(),
            SpecificAvroSerde.of(ScheduleRequest.class, config.serdeConfig()).serializer());
    decisions =
        driver.createOutputTopic(
            Topics.SCHEDULE_DECISIONS.name(),
            new StringDeserializer(),
            SpecificAvroSerde.of(ScheduleDecision.class, config.serdeConfig()).deserializer());
  }

  @AfterEach
  void stop() {
    driver.close();
    registry.close();
  }

  private void send(
      String requestId, String taskId, String peerId, boolean needBackToSource, long stampedAt) {
    ScheduleRequest r =
        ScheduleRequest.newBuilder()
            .setRequestId(requestId)
            .setTaskId(taskId)
            .setPeerId(peerId)
            .setHostId("h1")
            .setUrl("https://origin/" + taskId)
            .setNeedBackToSource(needBackToSource)
            .setTimestamp(Instant.ofEpochMilli(stampedAt))
            .build();
    requests.pipeInput(taskId, r, stampedAt);
  }

  @Test
  void everyDecisionSentIsCountedByOutcomeReasonAndPolicyAndEachRequestIsTimedOnce() {
    long now = System.currentTimeMillis();
    send("r1", "t1", "p1", true, now); // BACK_TO_SOURCE, NEED_BACK_TO_SOURCE
    send("r2", "t2", "", false, now); // REJECTED: peer_id required (free text -> INVALID)
    send(
        "r3",
        "t3",
        "p3",
        false,
        now - 2_000); // first download, no seed online: BACK_TO_SOURCE, NO_SEED
    List<ScheduleDecision> sent = decisions.readValuesToList();
    assertThat(sent)
        .extracting(ScheduleDecision::getOutcome)
        .containsExactly(
            DecisionOutcome.BACK_TO_SOURCE,
            DecisionOutcome.REJECTED,
            DecisionOutcome.BACK_TO_SOURCE);

    String scrape = registry.scrape();
    assertThat(scrape)
        .contains(
            "swarmsched_decisions_total{outcome=\"BACK_TO_SOURCE\",policy=\"load-aware\",reason=\"NEED_BACK_TO_SOURCE\"} 1.0")
        .contains(
            "swarmsched_decisions_total{outcome=\"REJECTED\",policy=\"load-aware\",reason=\"INVALID\"} 1.0")
        .contains(
            "swarmsched_decisions_total{outcome=\"BACK_TO_SOURCE\",policy=\"load-aware\",reason=\"NO_SEED\"} 1.0")
        .contains("# TYPE swarmsched_decision_latency_seconds histogram")
        .contains("swarmsched_decision_latency_seconds_count 3");
    Timer latency = registry.get(DecisionMetrics.LATENCY).timer();
    assertThat(latency.count()).isEqualTo(3);
    // r3 was stamped 2 s before it was sent: the histogram measures from the request's own
    // timestamp
    assertThat(latency.max(java.util.concurrent.TimeUnit.MILLISECONDS))
        .isGreaterThanOrEqualTo(2_000);

    // the same request id again: the same decision is sent again, counted again, timed again
    send("r1", "t1", "p1", true, System.currentTimeMillis());
    assertThat(decisions.readValuesToList()).hasSize(1);
    assertThat(registry.scrape())
        .contains(
            "swarmsched_decisions_total{outcome=\"BACK_TO_SOURCE\",policy=\"load-aware\",reason=\"NEED_BACK_TO_SOURCE\"} 2.0");
    assertThat(latency.count()).isEqualTo(4);
  }

  @Test
  void aRecordStampedBeforeOneAlreadyProcessedIsCountedAsBehindTheStreamTime() {
    long now = System.currentTimeMillis();
    send("r1", "t1", "p1", true, now);
    send("r2", "t2", "p2", true, now + 1_000);
    send("r3", "t3", "p3", true, now - 4_000); // 5 s behind the task's stream time
    send("r4", "t4", "p4", true, now + 2_000);
    assertThat(decisions.readValuesToList()).hasSize(4);
    assertThat(metrics.inputOrder()).containsExactly(3L, 1L);
    String scrape = registry.scrape();
    assertThat(scrape)
        .contains(
            "swarmsched_dispatch_inputs_total{order=\"in_order\",topic=\"swarm.schedule-requests.v1\"} 3.0")
        .contains(
            "swarmsched_dispatch_inputs_total{order=\"behind\",topic=\"swarm.schedule-requests.v1\"} 1.0")
        .contains("swarmsched_dispatch_input_behind_milliseconds_max 5000.0")
        .contains("swarmsched_dispatch_input_behind_milliseconds_sum 5000.0");
  }

  @Test
  void withoutMetricsInTheConfigTheTopologyOnlyDelegates() throws Exception {
    DispatcherConfig config =
        DispatcherConfig.from(
            Map.of(
                DispatcherConfig.SCHEMA_REGISTRY_URL,
                MockSchemaRegistry.MOCK_URL_PREFIX + scope,
                DispatcherConfig.APPLICATION_ID,
                "dispatcher-plain-test"));
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(
        StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("dispatcher-plain").toString());
    try (TopologyTestDriver plain =
        new TopologyTestDriver(DispatcherTopology.build(config), props)) {
      TestInputTopic<String, ScheduleRequest> in =
          plain.createInputTopic(
              Topics.SCHEDULE_REQUESTS.name(),
              new StringSerializer(),
              SpecificAvroSerde.of(ScheduleRequest.class, config.serdeConfig()).serializer());
      TestOutputTopic<String, ScheduleDecision> out =
          plain.createOutputTopic(
              Topics.SCHEDULE_DECISIONS.name(),
              new StringDeserializer(),
              SpecificAvroSerde.of(ScheduleDecision.class, config.serdeConfig()).deserializer());
      in.pipeInput(
          "t1",
          ScheduleRequest.newBuilder()
              .setRequestId("r1")
              .setTaskId("t1")
              .setPeerId("p1")
              .setHostId("h1")
              .setUrl("https://origin/t1")
              .setNeedBackToSource(true)
              .setTimestamp(Instant.now())
              .build());
      assertThat(out.readValuesToList())
          .extracting(ScheduleDecision::getOutcome)
          .containsExactly(DecisionOutcome.BACK_TO_SOURCE);
    }
    assertThat(registry.find(DecisionMetrics.DECISIONS).counters()).isEmpty();
  }

  @Test
  void labelsStayFewReasonCodesAndPolicyNames() {
    assertThat(DecisionMetrics.reasonLabel("PARENT_LOST:NO_CANDIDATES", "BACK_TO_SOURCE"))
        .isEqualTo("PARENT_LOST");
    assertThat(DecisionMetrics.reasonLabel("record key 'x' is not the task_id 'y'", "REJECTED"))
        .isEqualTo("INVALID");
    assertThat(DecisionMetrics.reasonLabel(null, "PARENTS")).isEqualTo("NONE");
    assertThat(DecisionMetrics.reasonLabel("something odd", "FAILED")).isEqualTo("OTHER");
    assertThat(DecisionMetrics.policyLabel("load-aware[idc=0.2,loc=0.1]/top4"))
        .isEqualTo("load-aware");
    assertThat(DecisionMetrics.policyLabel("random/top4")).isEqualTo("random");
    assertThat(DecisionMetrics.policyLabel("")).isEqualTo("none");
  }
}
