package io.swarmsched.dispatcher.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmsched.runtime.http.ApiException;
import io.swarmsched.schemas.JobRequirements;
import io.swarmsched.schemas.ScheduleRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.LongSupplier;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.specific.SpecificRecord;

/**
 * JSON with the Avro records' field names, both ways: requests in (every wrong field named in a
 * 400), decisions out (timestamps as epoch milliseconds, enums as their symbol).
 */
public final class AvroJson {
  private static final Set<String> REQUEST_FIELDS =
      Set.of(
          "request_id",
          "task_id",
          "peer_id",
          "host_id",
          "url",
          "digest",
          "tag",
          "priority",
          "need_back_to_source",
          "blocklist",
          "reschedule",
          "job",
          "deadline",
          "timestamp");
  private static final Set<String> JOB_FIELDS =
      Set.of(
          "required_tags",
          "min_memory_bytes",
          "min_cpu_cores",
          "gpus",
          "payload",
          "timeout_ms",
          "no_queue",
          "max_attempts");

  private AvroJson() {}

  /** A record as a JSON-ready map keyed by the schema's field names. */
  public static Map<String, Object> toMap(SpecificRecord record) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Schema.Field f : record.getSchema().getFields()) {
      out.put(f.name(), plain(record.get(f.pos())));
    }
    return out;
  }

  private static Object plain(Object v) {
    if (v instanceof SpecificRecord r) return toMap(r);
    if (v instanceof Instant i) return i.toEpochMilli();
    if (v instanceof CharSequence s) return s.toString();
    if (v instanceof Enum<?> e) return e.name();
    if (v instanceof java.nio.ByteBuffer b) {
      // bytes (a job's payload) as base64, the way JSON carries bytes
      return java.util.Base64.getEncoder()
          .encodeToString(io.swarmsched.dispatcher.jobs.JobSubmission.bytes(b));
    }
    if (v instanceof GenericEnumSymbol<?> e) return e.toString();
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      for (Object o : l) out.add(plain(o));
      return out;
    }
    return v;
  }

  /** Parses a POSTed request; a missing request_id (or timestamp) is generated. */
  public static ScheduleRequest request(JsonNode body, LongSupplier clock) {
    if (body == null || !body.isObject())
      throw ApiException.badRequest("body: must be a JSON object");
    unknownFields(body, REQUEST_FIELDS, "");
    ScheduleRequest.Builder b =
        ScheduleRequest.newBuilder()
            .setRequestId(optText(body, "request_id", UUID.randomUUID().toString()))
            .setTaskId(text(body, "task_id"))
            .setPeerId(optText(body, "peer_id", ""))
            .setHostId(text(body, "host_id"))
            .setUrl(optText(body, "url", ""))
            .setDigest(optText(body, "digest", null))
            .setTag(optText(body, "tag", ""))
            .setPriority((int) number(body, "priority", 0, Integer.MIN_VALUE, Integer.MAX_VALUE))
            .setNeedBackToSource(bool(body, "need_back_to_source"))
            .setBlocklist(strings(body, "blocklist"))
            .setReschedule(bool(body, "reschedule"))
            .setTimestamp(
                Instant.ofEpochMilli(
                    number(body, "timestamp", clock.getAsLong(), 1, Long.MAX_VALUE)));
    if (body.hasNonNull("deadline")) {
      b.setDeadline(Instant.ofEpochMilli(number(body, "deadline", 0, 1, Long.MAX_VALUE)));
    }
    if (body.hasNonNull("job")) {
      JsonNode job = body.get("job");
      if (!job.isObject()) throw ApiException.badRequest("job: must be an object");
      unknownFields(job, JOB_FIELDS, "job.");
      b.setJob(
          JobRequirements.newBuilder()
              .setRequiredTags(strings(job, "required_tags"))
              .setMinMemoryBytes(number(job, "min_memory_bytes", 0, 0, Long.MAX_VALUE))
              .setMinCpuCores((int) number(job, "min_cpu_cores", 0, 0, Integer.MAX_VALUE))
              .setGpus((int) number(job, "gpus", 0, 0, Integer.MAX_VALUE))
              .setPayload(
                  java.nio.ByteBuffer.wrap(
                      optText(job, "payload", "")
                          .getBytes(java.nio.charset.StandardCharsets.UTF_8)))
              .setTimeoutMs(number(job, "timeout_ms", 0, 0, Long.MAX_VALUE))
              .setNoQueue(bool(job, "no_queue"))
              .setMaxAttempts((int) number(job, "max_attempts", 0, 0, Integer.MAX_VALUE))
              .build());
    }
    return b.build();
  }

  static void unknownFields(JsonNode node, Set<String> known, String prefix) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!known.contains(name)) throw ApiException.badRequest(prefix + name + ": unknown field");
    }
  }

  private static String text(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) throw ApiException.badRequest(field + ": required");
    if (!v.isTextual() || v.asText().isBlank())
      throw ApiException.badRequest(field + ": must be a non-empty string");
    return v.asText();
  }

  static String optText(JsonNode body, String field, String def) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) return def;
    if (!v.isTextual()) throw ApiException.badRequest(field + ": must be a string");
    return v.asText();
  }

  static boolean bool(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) return false;
    if (!v.isBoolean()) throw ApiException.badRequest(field + ": must be true or false");
    return v.asBoolean();
  }

  static long number(JsonNode body, String field, long def, long min, long max) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) return def;
    if (!v.isIntegralNumber()) throw ApiException.badRequest(field + ": must be an integer");
    long n = v.asLong();
    if (n < min || n > max)
      throw ApiException.badRequest(field + ": must be in [" + min + ", " + max + "]");
    return n;
  }

  static List<String> strings(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) return List.of();
    if (!v.isArray()) throw ApiException.badRequest(field + ": must be an array of strings");
    List<String> out = new ArrayList<>();
    for (JsonNode e : v) {
      if (!e.isTextual()) throw ApiException.badRequest(field + ": must be an array of strings");
      out.add(e.asText());
    }
    return out;
  }
}
