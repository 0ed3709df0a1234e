package io.swarmsched.dispatcher.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmsched.runtime.http.ApiException;
import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.ParentCandidate;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.schemas.ScheduleRequest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AvroJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String s) throws Exception {
    return JSON.readTree(s);
  }

  @Test
  void aRequestWithTheAvroFieldNamesIsParsedAndAMissingRequestIdGenerated() throws Exception {
    ScheduleRequest r =
        AvroJson.request(
            json(
                """
        {"task_id":"t1","peer_id":"p1","host_id":"h1","url":"https://o/x","blocklist":["p9"],
         "need_back_to_source":true,"deadline":1700000005000,"job":{"required_tags":["gpu"],"gpus":1}}"""),
            () -> 1_700_000_000_000L);
    assertThat(r.getRequestId()).isNotBlank();
    assertThat(r.getTaskId()).isEqualTo("t1");
    assertThat(r.getBlocklist()).containsExactly("p9");
    assertThat(r.getNeedBackToSource()).isTrue();
    assertThat(r.getDeadline()).isEqualTo(Instant.ofEpochMilli(1_700_000_005_000L));
    assertThat(r.getTimestamp()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L));
    assertThat(r.getJob().getRequiredTags()).containsExactly("gpu");
  }

  @Test
  void everyBadFieldIsNamedInA400() {
    assertBad("{\"peer_id\":\"p\",\"host_id\":\"h\"}", "task_id: required");
    assertBad(
        "{\"task_id\":\"t\",\"host_id\":\"h\",\"priority\":\"high\"}",
        "priority: must be an integer");
    assertBad(
        "{\"task_id\":\"t\",\"host_id\":\"h\",\"blocklist\":[1]}",
        "blocklist: must be an array of strings");
    assertBad("{\"task_id\":\"t\",\"host_id\":\"h\",\"colour\":\"red\"}", "colour: unknown field");
    assertBad("{\"task_id\":\"t\",\"host_id\":\"h\",\"job\":{\"gpus\":-1}}", "gpus: must be in");
    assertBad("[1,2]", "body: must be a JSON object");
  }

  private static void assertBad(String body, String message) {
    assertThatThrownBy(() -> AvroJson.request(json(body), () -> 1L))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining(message)
        .satisfies(e -> assertThat(((ApiException) e).status()).isEqualTo(400));
  }

  @Test
  void decisionsRenderWithFieldNamesEnumsAndEpochMillis() {
    ScheduleDecision d =
        ScheduleDecision.newBuilder()
            .setDecisionId("d")
            .setRequestId("r")
            .setTaskId("t")
            .setPeerId("p")
            .setTargetHostId("h")
            .setRequesterHostId("h")
            .setOutcome(DecisionOutcome.PARENTS)
            .setParents(
                List.of(
                    ParentCandidate.newBuilder()
                        .setPeerId("p0")
                        .setHostId("h0")
                        .setPieceServerAddress("h0:1")
                        .setTotalScore(0.9)
                        .setIdcAffinity(1)
                        .setLocationAffinity(1)
                        .setLoadQuality(1)
                        .setHostTypeScore(0.5)
                        .setPeakBandwidthUsage(1)
                        .setBandwidthDurationRatio(1)
                        .setConcurrentEfficiency(1)
                        .build()))
            .setPolicyId("load-aware")
            .setDecidedAt(Instant.ofEpochMilli(42))
            .build();
    Map<String, Object> m = AvroJson.toMap(d);
    assertThat(m)
        .containsEntry("outcome", "PARENTS")
        .containsEntry("decided_at", 42L)
        .containsEntry("reason", null);
    @SuppressWarnings("unchecked")
    Map<String, Object> parent = (Map<String, Object>) ((List<?>) m.get("parents")).get(0);
    assertThat(parent).containsEntry("peer_id", "p0").containsEntry("total_score", 0.9);
  }
}
