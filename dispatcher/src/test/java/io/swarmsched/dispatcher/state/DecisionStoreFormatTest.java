package io.swarmsched.dispatcher.state;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.ScheduleDecision;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Compatibility of the decision store's values (Avro single-object encoding, schema fingerprint in
 * the header): a decision as today's dispatcher stored it must still decode to the same record. A
 * schema change keeps this green only if the old schema stays among the released schemas the
 * store's decoder knows ({@code ReleasedSchemas}); never edit the golden bytes, add new ones.
 */
class DecisionStoreFormatTest {
  /** {@link #decision()} as stored by the dispatcher in December 2026 (the schema of that time). */
  static final String GOLDEN =
      "c301f8bfd487ee3cf12406642d310a7265712d310c7461736b2d310c706565722d310c686f73742d310c686f73742d3102"
          + "0024687474703a2f2f6f726967696e2f626c6f620000021a4e4f5f43414e4449444154455306146c6f61642d6177"
          + "61726580a0abfef96200000000";

  static ScheduleDecision decision() {
    return ScheduleDecision.newBuilder()
        .setDecisionId("d-1")
        .setRequestId("req-1")
        .setTaskId("task-1")
        .setPeerId("peer-1")
        .setTargetHostId("host-1")
        .setRequesterHostId("host-1")
        .setOutcome(DecisionOutcome.BACK_TO_SOURCE)
        .setUrl("http://origin/blob")
        .setReason("NO_CANDIDATES")
        .setAttempt(3)
        .setPolicyId("load-aware")
        .setDecidedAt(java.time.Instant.ofEpochMilli(1_700_000_000_000L))
        .build();
  }

  @Test
  void goldenDecisionStillDecodes() {
    AvroMessageSerde<ScheduleDecision> serde = new AvroMessageSerde<>(ScheduleDecision.class);
    assertEquals(decision(), serde.decode(HexFormat.of().parseHex(GOLDEN)));
    assertEquals(decision(), serde.decode(serde.encode(decision())));
  }
}
