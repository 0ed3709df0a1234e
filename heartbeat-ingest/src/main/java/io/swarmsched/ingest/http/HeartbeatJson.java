package io.swarmsched.ingest.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmsched.schemas.HostCapacity;
import io.swarmsched.schemas.HostHeartbeat;
import io.swarmsched.schemas.HostLoad;
import io.swarmsched.schemas.HostType;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Turns a JSON heartbeat body into a {@link HostHeartbeat}. Two shapes are accepted:
 *
 * <ul>
 *   <li>the Avro record's own fields, snake_case, nested {@code capacity} and {@code load} objects
 *       ({@code timestamp} in epoch millis or ISO-8601);
 *   <li>the dtask-scheduler worker heartbeat {@code {"worker_id","address","resource_tags",
 *       "max_tasks","current_tasks","timestamp"}} with {@code timestamp} in epoch seconds (as dtask
 *       sends it; values that are already millis are recognised). dtask has no sequence number, so
 *       the timestamp in millis serves as one.
 * </ul>
 *
 * Every problem is a {@link BadHeartbeatException} naming the field. Range checks are not done
 * here; the shared validator does them after parsing.
 */
public final class HeartbeatJson {
  private HeartbeatJson() {}

  private static final Set<String> TOP_FIELDS = fieldNames(HostHeartbeat.getClassSchema());
  private static final Set<String> CAPACITY_FIELDS = fieldNames(HostCapacity.getClassSchema());
  private static final Set<String> LOAD_FIELDS = fieldNames(HostLoad.getClassSchema());
  private static final Set<String> DTASK_FIELDS =
      Set.of("worker_id", "address", "resource_tags", "max_tasks", "current_tasks", "timestamp");

  /** Below this a dtask timestamp is in seconds (1e11 s is the year 5138; 1e11 ms is 1973). */
  private static final long SECONDS_BELOW = 100_000_000_000L;

  /** True when the body is in the dtask-scheduler shape. */
  public static boolean isDtaskShape(JsonNode body) {
    return body != null && body.isObject() && body.has("worker_id") && !body.has("host_id");
  }

  public static HostHeartbeat parse(JsonNode body) {
    if (body == null || !body.isObject()) {
      throw new BadHeartbeatException("body", "must be a JSON object");
    }
    return isDtaskShape(body) ? parseDtask(body) : parseAvroShape(body);
  }

  static HostHeartbeat parseAvroShape(JsonNode body) {
    rejectUnknown(body, TOP_FIELDS, "");
    HostHeartbeat.Builder b =
        HostHeartbeat.newBuilder()
            .setHostId(requiredString(body, "host_id", ""))
            .setSequence(requiredLong(body, "sequence", ""))
            .setTimestamp(timestampMillis(body, "timestamp"))
            .setHostname(optionalString(body, "hostname", "", ""))
            .setIp(optionalString(body, "ip", "", ""))
            .setPieceServerAddress(requiredString(body, "piece_server_address", ""))
            .setType(hostType(body))
            .setIdc(optionalString(body, "idc", "", ""))
            .setLocation(optionalString(body, "location", "", ""))
            .setTags(stringList(body, "tags", ""))
            .setDisableShared(optionalBoolean(body, "disable_shared"))
            .setCapacity(capacity(requiredObject(body, "capacity")))
            .setLoad(load(requiredObject(body, "load")))
            .setAgentVersion(optionalString(body, "agent_version", "", ""));
    return b.build();
  }

  static HostHeartbeat parseDtask(JsonNode body) {
    rejectUnknown(body, DTASK_FIELDS, "");
    String workerId = requiredString(body, "worker_id", "");
    long raw = requiredLong(body, "timestamp", "");
    long millis = raw < SECONDS_BELOW ? Math.multiplyExact(raw, 1000L) : raw;
    String address = requiredString(body, "address", "");
    int schemeEnd = address.indexOf("://");
    if (schemeEnd >= 0) {
      address = address.substring(schemeEnd + 3);
    }
    if (address.endsWith("/")) {
      address = address.substring(0, address.length() - 1);
    }
    return HostHeartbeat.newBuilder()
        .setHostId(workerId)
        .setSequence(millis)
        .setTimestamp(Instant.ofEpochMilli(millis))
        .setPieceServerAddress(address)
        .setTags(stringList(body, "resource_tags", ""))
        .setCapacity(
            HostCapacity.newBuilder().setMaxTasks(requiredInt(body, "max_tasks", "")).build())
        .setLoad(
            HostLoad.newBuilder().setRunningTasks(requiredInt(body, "current_tasks", "")).build())
        .setAgentVersion("dtask")
        .build();
  }

  private static HostCapacity capacity(JsonNode node) {
    String p = "capacity.";
    rejectUnknown(node, CAPACITY_FIELDS, p);
    return HostCapacity.newBuilder()
        .setMaxTxBytesPerSec(optionalLong(node, "max_tx_bytes_per_sec", p))
        .setMaxRxBytesPerSec(optionalLong(node, "max_rx_bytes_per_sec", p))
        .setUploadSlotLimit(optionalInt(node, "upload_slot_limit", p))
        .setMaxTasks(optionalInt(node, "max_tasks", p))
        .setCpuCores(optionalInt(node, "cpu_cores", p))
        .setMemoryBytes(optionalLong(node, "memory_bytes", p))
        .setDiskBytes(optionalLong(node, "disk_bytes", p))
        .setGpus(optionalInt(node, "gpus", p))
        .setGpuModels(stringList(node, "gpu_models", p))
        .build();
  }

  private static HostLoad load(JsonNode node) {
    String p = "load.";
    rejectUnknown(node, LOAD_FIELDS, p);
    JsonNode cpu = node.get("cpu_usage");
    double cpuUsage = 0.0;
    if (cpu != null && !cpu.isNull()) {
      if (!cpu.isNumber()) {
        throw new BadHeartbeatException(p + "cpu_usage", "must be a number");
      }
      cpuUsage = cpu.doubleValue();
    }
    return HostLoad.newBuilder()
        .setTxBytesPerSec(optionalLong(node, "tx_bytes_per_sec", p))
        .setRxBytesPerSec(optionalLong(node, "rx_bytes_per_sec", p))
        .setConcurrentUploads(optionalInt(node, "concurrent_uploads", p))
        .setRunningTasks(optionalInt(node, "running_tasks", p))
        .setCpuUsage(cpuUsage)
        .setMemoryUsedBytes(optionalLong(node, "memory_used_bytes", p))
        .setDiskUsedBytes(optionalLong(node, "disk_used_bytes", p))
        .build();
  }

  private static HostType hostType(JsonNode body) {
    JsonNode node = body.get("type");
    if (node == null || node.isNull()) {
      return HostType.NORMAL;
    }
    if (!node.isTextual()) {
      throw new BadHeartbeatException(
          "type", "must be a string, one of " + Arrays.toString(HostType.values()));
    }
    try {
      return HostType.valueOf(node.textValue());
    } catch (IllegalArgumentException e) {
      throw new BadHeartbeatException(
          "type", "'" + node.textValue() + "' is not one of " + Arrays.toString(HostType.values()));
    }
  }

  private static Instant timestampMillis(JsonNode body, String field) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      throw new BadHeartbeatException(field, "is required");
    }
    if (node.isTextual()) {
      try {
        return Instant.parse(node.textValue());
      } catch (DateTimeParseException e) {
        throw new BadHeartbeatException(
            field, "'" + node.textValue() + "' is neither epoch millis nor ISO-8601");
      }
    }
    if (!node.isIntegralNumber() || !node.canConvertToLong()) {
      throw new BadHeartbeatException(
          field, "must be epoch milliseconds (an integer) or an ISO-8601 string");
    }
    return Instant.ofEpochMilli(node.longValue());
  }

  private static void rejectUnknown(JsonNode node, Set<String> known, String prefix) {
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!known.contains(name)) {
        throw new BadHeartbeatException(prefix + name, "is not a known field");
      }
    }
  }

  private static JsonNode requiredObject(JsonNode body, String field) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      throw new BadHeartbeatException(field, "is required");
    }
    if (!node.isObject()) {
      throw new BadHeartbeatException(field, "must be a JSON object");
    }
    return node;
  }

  private static String requiredString(JsonNode body, String field, String prefix) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      throw new BadHeartbeatException(prefix + field, "is required");
    }
    if (!node.isTextual()) {
      throw new BadHeartbeatException(prefix + field, "must be a string");
    }
    return node.textValue();
  }

  private static String optionalString(JsonNode body, String field, String prefix, String dflt) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return dflt;
    }
    if (!node.isTextual()) {
      throw new BadHeartbeatException(prefix + field, "must be a string");
    }
    return node.textValue();
  }

  private static long requiredLong(JsonNode body, String field, String prefix) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      throw new BadHeartbeatException(prefix + field, "is required");
    }
    return asLong(node, prefix + field);
  }

  private static int requiredInt(JsonNode body, String field, String prefix) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      throw new BadHeartbeatException(prefix + field, "is required");
    }
    return asInt(node, prefix + field);
  }

  private static long optionalLong(JsonNode body, String field, String prefix) {
    JsonNode node = body.get(field);
    return node == null || node.isNull() ? 0L : asLong(node, prefix + field);
  }

  private static int optionalInt(JsonNode body, String field, String prefix) {
    JsonNode node = body.get(field);
    return node == null || node.isNull() ? 0 : asInt(node, prefix + field);
  }

  private static boolean optionalBoolean(JsonNode body, String field) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return false;
    }
    if (!node.isBoolean()) {
      throw new BadHeartbeatException(field, "must be true or false");
    }
    return node.booleanValue();
  }

  private static long asLong(JsonNode node, String field) {
    if (!node.isIntegralNumber()) {
      throw new BadHeartbeatException(field, "must be an integer");
    }
    if (!node.canConvertToLong()) {
      throw new BadHeartbeatException(field, "is out of range for a 64-bit integer");
    }
    return node.longValue();
  }

  private static int asInt(JsonNode node, String field) {
    if (!node.isIntegralNumber()) {
      throw new BadHeartbeatException(field, "must be an integer");
    }
    if (!node.canConvertToInt()) {
      throw new BadHeartbeatException(field, "is out of range for a 32-bit integer");
    }
    return node.intValue();
  }

  private static List<String> stringList(JsonNode body, String field, String prefix) {
    JsonNode node = body.get(field);
    List<String> out = new ArrayList<>();
    if (node == null || node.isNull()) {
      return out;
    }
    if (!node.isArray()) {
      throw new BadHeartbeatException(prefix + field, "must be an array of strings");
    }
    for (int i = 0; i < node.size(); i++) {
      JsonNode item = node.get(i);
      if (!item.isTextual()) {
        throw new BadHeartbeatException(prefix + field + "[" + i + "]", "must be a string");
      }
      out.add(item.textValue());
    }
    return out;
  }

  private static Set<String> fieldNames(org.apache.avro.Schema schema) {
    return schema.getFields().stream()
        .map(org.apache.avro.Schema.Field::name)
        .collect(Collectors.toUnmodifiableSet());
  }
}
