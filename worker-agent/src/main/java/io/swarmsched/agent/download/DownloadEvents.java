package io.swarmsched.agent.download;

import io.swarmsched.agent.storage.PieceFile;
import io.swarmsched.schemas.PeerEvent;
import io.swarmsched.schemas.PeerEventType;
import io.swarmsched.schemas.PieceEvent;
import io.swarmsched.schemas.PieceOutcome;
import io.swarmsched.schemas.PieceSource;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Publishes one download's peer lifecycle and piece events, which the dispatcher and scoring learn
 * from.
 */
final class DownloadEvents {
  /** The parent a piece came from (null fields for the origin). */
  record From(String peerId, String hostId) {
    static final From ORIGIN = new From(null, null);
  }

  private final DownloadContext ctx;
  private final String taskId;
  private final String peerId;
  private final Supplier<PieceFile> file;

  DownloadEvents(DownloadContext ctx, String taskId, String peerId, Supplier<PieceFile> file) {
    this.ctx = ctx;
    this.taskId = taskId;
    this.peerId = peerId;
    this.file = file;
  }

  void peer(PeerEventType type, String reason) {
    PieceFile f = file.get();
    ctx.publish(
        PeerEvent.newBuilder()
            .setEventId(UUID.randomUUID().toString())
            .setTaskId(taskId)
            .setPeerId(peerId)
            .setHostId(ctx.config().hostId())
            .setType(type)
            .setPiecesFinished(f == null ? 0 : f.verifiedCount())
            .setPieceCount(f == null ? 0 : f.layout().pieceCount())
            .setContentLength(f == null ? -1 : f.layout().contentLength())
            .setReason(reason)
            .setTimestamp(Instant.now())
            .build());
  }

  void pieceFinished(
      int piece, PieceSource source, From from, long bytes, long costMillis, String digest) {
    piece(piece, PieceOutcome.FINISHED, source, from, bytes, costMillis, digest, null);
  }

  void pieceFailed(
      int piece, PieceSource source, From from, long bytes, long costMillis, String failure) {
    piece(piece, PieceOutcome.FAILED, source, from, bytes, costMillis, null, failure);
  }

  private void piece(
      int piece,
      PieceOutcome outcome,
      PieceSource source,
      From from,
      long bytes,
      long costMillis,
      String digest,
      String failure) {
    ctx.publish(
        PieceEvent.newBuilder()
            .setEventId(UUID.randomUUID().toString())
            .setTaskId(taskId)
            .setPeerId(peerId)
            .setHostId(ctx.config().hostId())
            .setPieceNumber(piece)
            .setOutcome(outcome)
            .setSource(source)
            .setParentPeerId(from.peerId())
            .setParentHostId(from.hostId())
            .setBytes(bytes)
            .setCostMillis(costMillis)
            .setDigest(digest)
            .setFailureReason(failure)
            .setTimestamp(Instant.now())
            .build());
  }
}
