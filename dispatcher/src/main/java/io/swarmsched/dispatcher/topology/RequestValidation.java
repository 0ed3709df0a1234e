package io.swarmsched.dispatcher.topology;

import io.swarmsched.schemas.JobRequirements;
import io.swarmsched.schemas.PeerEvent;
import io.swarmsched.schemas.PieceEvent;
import io.swarmsched.schemas.ScheduleRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Predicate;

/**
 * What makes an input record unusable. Each check returns null when the record is fine, else a
 * reason that names the field (it becomes the REJECTED decision's reason or the dead letter's).
 */
public final class RequestValidation {
  static final int MAX_ID_LENGTH = 512;
  static final int MAX_BLOCKLIST = 1_000;
  static final int MAX_URL_LENGTH = 8_192;

  /**
   * Largest piece number or count: 2^24 pieces is 64 TiB in 4 MiB pieces. A task's own piece count,
   * when a peer has reported it, bounds piece numbers more tightly ({@link #pieceInTask}).
   */
  static final int MAX_PIECES = 1 << 24;

  private RequestValidation() {}

  public static String validate(String key, ScheduleRequest r) {
    String e = id("request_id", r.getRequestId());
    if (e == null) e = id("task_id", r.getTaskId());
    if (e == null) e = id("host_id", r.getHostId());
    if (e == null && r.getJob() == null) e = id("peer_id", r.getPeerId());
    if (e == null) e = keyIsTaskId(key, r.getTaskId());
    if (e != null) return e;
    if (r.getJob() == null && (r.getUrl() == null || r.getUrl().isBlank())) {
      return "url: required for a download request";
    }
    if (r.getUrl() != null && r.getUrl().length() > MAX_URL_LENGTH) {
      return "url: longer than " + MAX_URL_LENGTH + " characters";
    }
    if (r.getBlocklist().size() > MAX_BLOCKLIST) {
      return "blocklist: more than " + MAX_BLOCKLIST + " entries";
    }
    if (r.getTimestamp() == null || r.getTimestamp().toEpochMilli() <= 0) {
      return "timestamp: must be a positive epoch millisecond";
    }
    if (r.getDeadline() != null && r.getDeadline().toEpochMilli() <= 0) {
      return "deadline: must be a positive epoch millisecond";
    }
    JobRequirements job = r.getJob();
    if (job != null) {
      String invalid = io.swarmsched.dispatcher.jobs.JobSubmission.validate(job);
      if (invalid != null) return invalid;
    }
    if (r.getJob() != null && r.getNeedBackToSource()) {
      return "need_back_to_source: not valid for a job request";
    }
    return null;
  }

  public static String validate(String key, PeerEvent e) {
    String err = eventIds(key, e.getEventId(), e.getTaskId(), e.getPeerId(), e.getHostId());
    if (err != null) return err;
    if (e.getPiecesFinished() < 0) return "pieces_finished: must not be negative";
    if (e.getPieceCount() < 0) return "piece_count: must not be negative";
    if (e.getPieceCount() > MAX_PIECES)
      return "piece_count: " + e.getPieceCount() + " is above " + MAX_PIECES;
    if (e.getPieceCount() > 0 && e.getPiecesFinished() > e.getPieceCount()) {
      return "pieces_finished: "
          + e.getPiecesFinished()
          + " is above piece_count "
          + e.getPieceCount();
    }
    return null;
  }

  public static String validate(String key, PieceEvent e) {
    String err = eventIds(key, e.getEventId(), e.getTaskId(), e.getPeerId(), e.getHostId());
    if (err != null) return err;
    if (e.getPieceNumber() < 0) return "piece_number: must not be negative";
    if (e.getPieceNumber() >= MAX_PIECES)
      return "piece_number: " + e.getPieceNumber() + " is not below " + MAX_PIECES;
    if (e.getBytes() < 0) return "bytes: must not be negative";
    if (e.getCostMillis() < 0) return "cost_millis: must not be negative";
    return null;
  }

  /**
   * A record's time, by its Kafka timestamp and by its own timestamp field, against the receiver's
   * wall clock {@code wallNow}: at most {@code maxAhead} ahead ({@code
   * swarm.dispatcher.validation.max.clock.ahead}) and {@code maxAge} behind ({@code
   * swarm.dispatcher.validation.max.record.age}).
   */
  public static String time(
      long recordTimestamp, Instant field, long wallNow, Duration maxAhead, Duration maxAge) {
    String e = time("record timestamp", recordTimestamp, wallNow, maxAhead, maxAge);
    return e == null && field != null
        ? time("timestamp", field.toEpochMilli(), wallNow, maxAhead, maxAge)
        : e;
  }

  private static String time(
      String what, long at, long wallNow, Duration maxAhead, Duration maxAge) {
    if (at > wallNow + maxAhead.toMillis()) {
      return what
          + ": "
          + Instant.ofEpochMilli(at)
          + " is "
          + (at - wallNow) / 1000
          + " s ahead of the dispatcher's clock ("
          + Instant.ofEpochMilli(wallNow)
          + "); at most "
          + maxAhead.toSeconds()
          + " s is accepted";
    }
    if (at < wallNow - maxAge.toMillis()) {
      return what
          + ": "
          + Instant.ofEpochMilli(at)
          + " is more than "
          + maxAge.toSeconds()
          + " s behind the dispatcher's clock ("
          + Instant.ofEpochMilli(wallNow)
          + ")";
    }
    return null;
  }

  /**
   * A piece event's piece number against the task's piece count as its peer reported it (0: not
   * known yet).
   */
  public static String pieceInTask(PieceEvent e, int knownPieceCount) {
    if (knownPieceCount > 0 && e.getPieceNumber() >= knownPieceCount) {
      return "piece_number: "
          + e.getPieceNumber()
          + " is out of range for a task of "
          + knownPieceCount
          + " pieces";
    }
    return null;
  }

  /** The host an event comes from is in the hosts table (it has sent a heartbeat). */
  public static String knownHost(String hostId, Predicate<String> known) {
    return known.test(hostId)
        ? null
        : "host_id: unknown host '" + hostId + "' (not in the hosts table)";
  }

  /** The ids every peer and piece event carries, and its key (the task id, for co-partitioning). */
  private static String eventIds(
      String key, String eventId, String taskId, String peerId, String hostId) {
    String err = id("event_id", eventId);
    if (err == null) err = id("task_id", taskId);
    if (err == null) err = id("peer_id", peerId);
    if (err == null) err = id("host_id", hostId);
    if (err == null) err = keyIsTaskId(key, taskId);
    return err;
  }

  private static String keyIsTaskId(String key, String taskId) {
    return key != null && !key.equals(taskId)
        ? "record key '" + key + "' is not the task_id '" + taskId + "'"
        : null;
  }

  private static String id(String field, String v) {
    if (v == null || v.isBlank()) return field + ": required";
    if (v.length() > MAX_ID_LENGTH) return field + ": longer than " + MAX_ID_LENGTH + " characters";
    // the task store's record keys put NUL between a task id and a peer or request id
    if (v.indexOf('\u0000') >= 0) return field + ": contains NUL";
    return null;
  }
}
