package io.swarmsched.scoring.streams;

import io.swarmsched.runtime.deadletter.Validator;
import io.swarmsched.schemas.HostState;
import io.swarmsched.schemas.PieceEvent;
import io.swarmsched.schemas.PieceOutcome;
import io.swarmsched.schemas.PieceSource;
import java.util.Optional;

/** What the scorer refuses (to the dead-letter topic) before using a record. */
public final class InputValidation {
  private InputValidation() {}

  /** Piece events: sane numbers, and a served piece must name the host that served it. */
  public static final Validator<PieceEvent> PIECE_EVENT =
      (key, e) -> {
        if (e.getBytes() < 0) {
          return Optional.of("bytes: " + e.getBytes() + " is negative");
        }
        if (e.getCostMillis() < 0) {
          return Optional.of("cost_millis: " + e.getCostMillis() + " is negative");
        }
        if (e.getOutcome() == PieceOutcome.FINISHED
            && e.getSource() == PieceSource.PARENT
            && (e.getParentHostId() == null || e.getParentHostId().isBlank())) {
          return Optional.of("parent_host_id: missing on a FINISHED piece from a PARENT");
        }
        return Optional.empty();
      };

  /** Host states: the key is the host id, and load and capacity are not negative. */
  public static final Validator<HostState> HOST_STATE =
      (key, h) -> {
        if (h.getHostId() == null || h.getHostId().isBlank()) {
          return Optional.of("host_id: missing");
        }
        if (key != null && !key.equals(h.getHostId())) {
          return Optional.of(
              "host_id: '" + h.getHostId() + "' differs from the record key '" + key + "'");
        }
        if (h.getLoad().getTxBytesPerSec() < 0) {
          return Optional.of(
              "load.tx_bytes_per_sec: " + h.getLoad().getTxBytesPerSec() + " is negative");
        }
        if (h.getLoad().getConcurrentUploads() < 0) {
          return Optional.of(
              "load.concurrent_uploads: " + h.getLoad().getConcurrentUploads() + " is negative");
        }
        if (h.getCapacity().getMaxTxBytesPerSec() < 0) {
          return Optional.of(
              "capacity.max_tx_bytes_per_sec: "
                  + h.getCapacity().getMaxTxBytesPerSec()
                  + " is negative");
        }
        if (h.getCapacity().getUploadSlotLimit() < 0) {
          return Optional.of(
              "capacity.upload_slot_limit: "
                  + h.getCapacity().getUploadSlotLimit()
                  + " is negative");
        }
        return Optional.empty();
      };

  /** A piece event that tells how much its parent host uploaded. */
  public static boolean isServedByParent(PieceEvent e) {
    return e.getOutcome() == PieceOutcome.FINISHED && e.getSource() == PieceSource.PARENT;
  }
}
