package io.swarmsched.ingest.validation;

import io.swarmsched.schemas.HostCapacity;
import io.swarmsched.schemas.HostHeartbeat;
import io.swarmsched.schemas.HostLoad;
import java.util.List;
import java.util.Optional;

/**
 * The rules a heartbeat must pass, one per concern, in the order they run. Earlier rules guarantee
 * what later ones rely on (required fields are present before numbers are checked).
 */
public final class HeartbeatRules {
  private HeartbeatRules() {}

  /** The serialized record is no larger than the limit. */
  public static final ValidationRule SIZE =
      (c, l) ->
          c.sizeBytes() > l.maxRecordBytes()
              ? violation(
                  "record",
                  "is " + c.sizeBytes() + " bytes, more than the limit of " + l.maxRecordBytes())
              : ok();

  /** Identity, address, timestamp, capacity and load are present and non-blank. */
  public static final ValidationRule REQUIRED_FIELDS =
      (c, l) -> {
        HostHeartbeat hb = c.heartbeat();
        if (hb == null) {
          return violation("value", "is missing");
        }
        if (blank(hb.getHostId())) {
          return violation("host_id", "is required");
        }
        if (hb.getTimestamp() == null) {
          return violation("timestamp", "is required");
        }
        if (blank(hb.getPieceServerAddress())) {
          return violation("piece_server_address", "is required");
        }
        if (hb.getType() == null) {
          return violation("type", "is required (one of NORMAL, SUPER_SEED)");
        }
        if (hb.getCapacity() == null) {
          return violation("capacity", "is required");
        }
        if (hb.getLoad() == null) {
          return violation("load", "is required");
        }
        return ok();
      };

  /** The record key is the host id, so every record of a host lands on the same partition. */
  public static final ValidationRule KEY_MATCHES_HOST_ID =
      (c, l) -> {
        if (c.key() == null) {
          return violation("key", "is missing; heartbeats are keyed by host_id");
        }
        if (!c.key().equals(c.heartbeat().getHostId())) {
          return violation(
              "host_id",
              "'"
                  + abbreviate(c.heartbeat().getHostId())
                  + "' differs from the record key '"
                  + abbreviate(c.key())
                  + "'");
        }
        return ok();
      };

  /** Strings and lists stay within sane lengths. */
  public static final ValidationRule STRING_LENGTHS =
      (c, l) -> {
        HostHeartbeat hb = c.heartbeat();
        String[][] fields = {
          {"host_id", hb.getHostId()},
          {"hostname", hb.getHostname()},
          {"ip", hb.getIp()},
          {"piece_server_address", hb.getPieceServerAddress()},
          {"idc", hb.getIdc()},
          {"location", hb.getLocation()},
          {"agent_version", hb.getAgentVersion()}
        };
        for (String[] f : fields) {
          if (f[1] != null && f[1].length() > l.maxStringLength()) {
            return violation(
                f[0], "is " + f[1].length() + " characters, more than " + l.maxStringLength());
          }
        }
        return ok();
      };

  /** The piece server address is host:port with a port in 1..65535. */
  public static final ValidationRule ADDRESS =
      (c, l) -> {
        String address = c.heartbeat().getPieceServerAddress();
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
          return violation(
              "piece_server_address", "'" + abbreviate(address) + "' is not host:port");
        }
        try {
          int port = Integer.parseInt(address.substring(colon + 1));
          if (port < 1 || port > 65535) {
            return violation("piece_server_address", "port " + port + " is outside 1..65535");
          }
        } catch (NumberFormatException e) {
          return violation(
              "piece_server_address", "'" + abbreviate(address) + "' has no numeric port");
        }
        return ok();
      };

  /** Tags are few, non-blank and short. */
  public static final ValidationRule TAGS =
      (c, l) -> {
        List<String> tags = c.heartbeat().getTags();
        if (tags == null) {
          return ok();
        }
        if (tags.size() > l.maxTags()) {
          return violation("tags", "has " + tags.size() + " entries, more than " + l.maxTags());
        }
        for (int i = 0; i < tags.size(); i++) {
          String tag = tags.get(i);
          if (blank(tag)) {
            return violation("tags[" + i + "]", "is blank");
          }
          if (tag.length() > l.maxStringLength()) {
            return violation(
                "tags[" + i + "]",
                "is " + tag.length() + " characters, more than " + l.maxStringLength());
          }
        }
        return ok();
      };

  /** The sequence number is non-negative. */
  public static final ValidationRule SEQUENCE =
      (c, l) ->
          c.heartbeat().getSequence() < 0
              ? violation("sequence", "is " + c.heartbeat().getSequence() + "; must be >= 0")
              : ok();

  /**
   * The timestamp is after the epoch, at most the allowed skew ahead of the receiver's clock and at
   * most the maximum age behind it.
   */
  public static final ValidationRule TIMESTAMP =
      (c, l) -> {
        long ts = c.heartbeat().getTimestamp().toEpochMilli();
        if (ts <= 0) {
          return violation("timestamp", "is " + ts + "; must be a positive epoch-millis time");
        }
        long latest = c.now().toEpochMilli() + l.maxClockSkew().toMillis();
        if (ts > latest) {
          return violation(
              "timestamp",
              "is "
                  + (ts - c.now().toEpochMilli())
                  + " ms in the future; at most "
                  + l.maxClockSkew().toMillis()
                  + " ms is accepted");
        }
        long earliest = c.now().toEpochMilli() - l.maxAge().toMillis();
        if (ts < earliest) {
          return violation(
              "timestamp",
              "is "
                  + (c.now().toEpochMilli() - ts)
                  + " ms in the past; at most "
                  + l.maxAge().toMillis()
                  + " ms is accepted");
        }
        return ok();
      };

  /** Capacities are non-negative and within what a machine can have. */
  public static final ValidationRule CAPACITY =
      (c, l) -> {
        HostCapacity cap = c.heartbeat().getCapacity();
        Optional<Violation> v;
        if ((v =
                    range(
                        "capacity.max_tx_bytes_per_sec",
                        cap.getMaxTxBytesPerSec(),
                        l.maxBandwidthBytesPerSec()))
                .isPresent()
            || (v =
                    range(
                        "capacity.max_rx_bytes_per_sec",
                        cap.getMaxRxBytesPerSec(),
                        l.maxBandwidthBytesPerSec()))
                .isPresent()
            || (v =
                    range(
                        "capacity.upload_slot_limit",
                        cap.getUploadSlotLimit(),
                        l.maxUploadSlotLimit()))
                .isPresent()
            || (v = range("capacity.max_tasks", cap.getMaxTasks(), l.maxTasks())).isPresent()
            || (v = range("capacity.cpu_cores", cap.getCpuCores(), l.maxCpuCores())).isPresent()
            || (v = range("capacity.memory_bytes", cap.getMemoryBytes(), l.maxMemoryBytes()))
                .isPresent()
            || (v = range("capacity.disk_bytes", cap.getDiskBytes(), l.maxDiskBytes())).isPresent()
            || (v = range("capacity.gpus", cap.getGpus(), l.maxGpus())).isPresent()) {
          return v;
        }
        List<String> models = cap.getGpuModels();
        if (models != null && models.size() > Math.max(cap.getGpus(), 0)) {
          return violation(
              "capacity.gpu_models",
              "lists " + models.size() + " GPUs but capacity.gpus is " + cap.getGpus());
        }
        return ok();
      };

  /** Load figures are non-negative and within what the host's capacity allows. */
  public static final ValidationRule LOAD =
      (c, l) -> {
        HostLoad load = c.heartbeat().getLoad();
        Optional<Violation> v;
        if ((v =
                    range(
                        "load.tx_bytes_per_sec",
                        load.getTxBytesPerSec(),
                        l.maxBandwidthBytesPerSec()))
                .isPresent()
            || (v =
                    range(
                        "load.rx_bytes_per_sec",
                        load.getRxBytesPerSec(),
                        l.maxBandwidthBytesPerSec()))
                .isPresent()
            || (v = range("load.memory_used_bytes", load.getMemoryUsedBytes(), l.maxMemoryBytes()))
                .isPresent()
            || (v = range("load.disk_used_bytes", load.getDiskUsedBytes(), l.maxDiskBytes()))
                .isPresent()) {
          return v;
        }
        double cpu = load.getCpuUsage();
        if (Double.isNaN(cpu) || cpu < 0.0 || cpu > 1.0) {
          return violation("load.cpu_usage", "is " + cpu + "; must be in [0, 1]");
        }
        return ok();
      };

  /**
   * Concurrent uploads and running tasks stay within a multiple of the host's own limits (or of the
   * global limits when the host does not state one).
   */
  public static final ValidationRule CONCURRENCY =
      (c, l) -> {
        HostCapacity cap = c.heartbeat().getCapacity();
        HostLoad load = c.heartbeat().getLoad();
        long uploadBound =
            cap.getUploadSlotLimit() > 0
                ? (long) cap.getUploadSlotLimit() * l.uploadOvercommitFactor()
                : l.maxUploadSlotLimit();
        Optional<Violation> v =
            range("load.concurrent_uploads", load.getConcurrentUploads(), uploadBound);
        if (v.isPresent()) {
          return cap.getUploadSlotLimit() > 0 && load.getConcurrentUploads() >= 0
              ? violation(
                  "load.concurrent_uploads",
                  "is "
                      + load.getConcurrentUploads()
                      + ", more than "
                      + l.uploadOvercommitFactor()
                      + " x capacity.upload_slot_limit ("
                      + cap.getUploadSlotLimit()
                      + ")")
              : v;
        }
        long taskBound =
            cap.getMaxTasks() > 0
                ? (long) cap.getMaxTasks() * l.uploadOvercommitFactor()
                : l.maxTasks();
        v = range("load.running_tasks", load.getRunningTasks(), taskBound);
        if (v.isPresent()) {
          return cap.getMaxTasks() > 0 && load.getRunningTasks() >= 0
              ? violation(
                  "load.running_tasks",
                  "is "
                      + load.getRunningTasks()
                      + ", more than "
                      + l.uploadOvercommitFactor()
                      + " x capacity.max_tasks ("
                      + cap.getMaxTasks()
                      + ")")
              : v;
        }
        return ok();
      };

  /** Every rule, in the order the validator applies them. */
  public static final List<ValidationRule> ALL =
      List.of(
          SIZE,
          REQUIRED_FIELDS,
          KEY_MATCHES_HOST_ID,
          STRING_LENGTHS,
          ADDRESS,
          TAGS,
          SEQUENCE,
          TIMESTAMP,
          CAPACITY,
          LOAD,
          CONCURRENCY);

  private static Optional<Violation> range(String field, long value, long max) {
    if (value < 0) {
      return violation(field, "is " + value + "; must be >= 0");
    }
    if (value > max) {
      return violation(field, "is " + value + ", more than the plausible maximum " + max);
    }
    return ok();
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private static String abbreviate(String s) {
    return s == null || s.length() <= 64 ? String.valueOf(s) : s.substring(0, 61) + "...";
  }

  private static Optional<Violation> violation(String field, String reason) {
    return Optional.of(new Violation(field, reason));
  }

  private static Optional<Violation> ok() {
    return Optional.empty();
  }
}
