package io.swarmsched.dispatcher.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmsched.dispatcher.DispatcherConfig;
import io.swarmsched.runtime.http.ApiException;
import io.swarmsched.schemas.JobEvent;
import io.swarmsched.schemas.JobEventType;
import io.swarmsched.schemas.JobRequirements;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** The jobs API's JSON: a submission body in, every wrong field named in a 400. */
final class JobJson {
  private JobJson() {}

  /** The SUBMITTED event of a {@code POST /api/v1/jobs} body. */
  static JobEvent submission(JsonNode body, Set<String> fields) {
    AvroJson.unknownFields(body, fields, "");
    String jobId = AvroJson.optText(body, "job_id", null);
    if (jobId == null) jobId = UUID.randomUUID().toString();
    if (jobId.isBlank()) throw ApiException.badRequest("job_id: must not be blank");
    byte[] payload = AvroJson.optText(body, "payload", "").getBytes(StandardCharsets.UTF_8);
    String b64 = AvroJson.optText(body, "payload_base64", null);
    if (b64 != null) {
      if (body.hasNonNull("payload")) {
        throw ApiException.badRequest("payload_base64: give payload or payload_base64, not both");
      }
      try {
        payload = Base64.getDecoder().decode(b64);
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest("payload_base64: not valid base64");
      }
    }
    JobRequirements job =
        JobRequirements.newBuilder()
            .setRequiredTags(AvroJson.strings(body, "required_tags"))
            .setMinMemoryBytes(AvroJson.number(body, "min_memory_bytes", 0, 0, Long.MAX_VALUE))
            .setMinCpuCores((int) AvroJson.number(body, "min_cpu_cores", 0, 0, Integer.MAX_VALUE))
            .setGpus((int) AvroJson.number(body, "gpus", 0, 0, Integer.MAX_VALUE))
            .setPayload(ByteBuffer.wrap(payload))
            .setTimeoutMs(AvroJson.number(body, "timeout_ms", 0, 0, Long.MAX_VALUE))
            .setNoQueue(AvroJson.bool(body, "no_queue"))
            .setMaxAttempts((int) AvroJson.number(body, "max_attempts", 0, 0, Integer.MAX_VALUE))
            .build();
    JobEvent.Builder e =
        JobEvent.newBuilder()
            .setEventId(UUID.randomUUID().toString())
            .setJobId(jobId)
            .setAttempt(0)
            .setType(JobEventType.SUBMITTED)
            .setTimestamp(Instant.now())
            .setRequestId("job/" + jobId)
            .setRequesterHostId(AvroJson.optText(body, "requester_host_id", "http"))
            .setPriority(
                (int) AvroJson.number(body, "priority", 0, Integer.MIN_VALUE, Integer.MAX_VALUE))
            .setJob(job);
    if (body.hasNonNull("deadline")) {
      e.setDeadline(Instant.ofEpochMilli(AvroJson.number(body, "deadline", 0, 1, Long.MAX_VALUE)));
    }
    return e.build();
  }

  static Duration duration(String v) {
    try {
      return DispatcherConfig.from(Map.of(DispatcherConfig.HTTP_DECISION_WAIT, v))
          .httpDecisionWait();
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("wait: not a duration (e.g. 500ms, 2s): '" + v + "'");
    }
  }

  static int limit(String v) {
    try {
      int n = Integer.parseInt(v);
      if (n >= 1 && n <= 10_000) return n;
    } catch (NumberFormatException e) {
      // answered below
    }
    throw ApiException.badRequest("limit: must be an integer in [1, 10000]: '" + v + "'");
  }
}
