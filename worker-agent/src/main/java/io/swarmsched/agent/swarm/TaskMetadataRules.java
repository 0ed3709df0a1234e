package io.swarmsched.agent.swarm;

import io.swarmsched.schemas.TaskMetadata;

/**
 * What makes a task-metadata record unusable to an agent: it sizes files, piece buffers and the
 * digest list from these fields, so a piece length of 0 (a division by zero when pieces are
 * counted) or a piece count that disagrees with the content length must not get in (issue 13,
 * finding 6). Returns the problem naming the field, or null.
 */
public final class TaskMetadataRules {
  /** 2^24 pieces, the dispatcher's bound too. */
  static final int MAX_PIECES = 1 << 24;

  /** 1 GiB: no piece is larger. */
  static final int MAX_PIECE_LENGTH = 1 << 30;

  private TaskMetadataRules() {}

  public static String problem(String key, TaskMetadata m) {
    if (m.getTaskId() == null || m.getTaskId().isBlank()) return "task_id: required";
    if (key != null && !key.equals(m.getTaskId()))
      return "record key '" + key + "' is not the task_id '" + m.getTaskId() + "'";
    if (m.getContentLength() < 0) return "content_length: " + m.getContentLength() + " is negative";
    if (m.getPieceLength() <= 0 || m.getPieceLength() > MAX_PIECE_LENGTH) {
      return "piece_length: " + m.getPieceLength() + " is not in [1, " + MAX_PIECE_LENGTH + "]";
    }
    if (m.getPieceCount() < 0 || m.getPieceCount() > MAX_PIECES) {
      return "piece_count: " + m.getPieceCount() + " is not in [0, " + MAX_PIECES + "]";
    }
    long expected = (m.getContentLength() + m.getPieceLength() - 1) / m.getPieceLength();
    if (m.getPieceCount() != expected) {
      return "piece_count: "
          + m.getPieceCount()
          + " but content_length "
          + m.getContentLength()
          + " in pieces of "
          + m.getPieceLength()
          + " makes "
          + expected;
    }
    if (m.getPieceDigests().size() != m.getPieceCount()) {
      return "piece_digests: "
          + m.getPieceDigests().size()
          + " digests for "
          + m.getPieceCount()
          + " pieces";
    }
    return null;
  }
}
