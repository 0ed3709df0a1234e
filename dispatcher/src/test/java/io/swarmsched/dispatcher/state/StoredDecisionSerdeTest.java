package io.swarmsched.dispatcher.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swarmsched.schemas.ScheduleDecision;
import java.util.HexFormat;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/**
 * The decision store's value: a format byte, the decision time, the decision's single-object
 * encoding. Never edit the golden bytes; add new ones.
 */
class StoredDecisionSerdeTest {
  private final StoredDecisionSerde serde = new StoredDecisionSerde();

  /**
   * {@link DecisionStoreFormatTest#decision()} stored at 1,700,000,000,123 in format 1 (December
   * 2026: ScheduleDecision's schema of then, whose fingerprint follows the marker {@code c301}).
   */
  static final String GOLDEN_FORMAT_1 =
      "01"
          + "0000018bcfe5687b"
          + "c301249ae5730536e6ab06642d310a7265712d310c7461736b2d310c706565722d310c686f73742d310c686f"
          + "73742d31020024687474703a2f2f6f726967696e2f626c6f620000021a4e4f5f43414e444944415445530614"
          + "6c6f61642d617761726580a0abfef96200000000";

  @Test
  void formatOneIsTheFormatByteTheTimeThenTheSingleObjectEncoding() {
    byte[] bytes =
        serde.encode(new StoredDecision(1_700_000_000_123L, DecisionStoreFormatTest.decision()));
    assertThat(HexFormat.of().formatHex(bytes)).isEqualTo(GOLDEN_FORMAT_1);
  }

  @Test
  void theTimeIsReadWithoutDecodingTheDecision() {
    StoredDecision read = serde.decode(HexFormat.of().parseHex(GOLDEN_FORMAT_1));
    assertThat(read.decidedAt()).isEqualTo(1_700_000_000_123L);
    assertThat(read.encoded()).as("not decoded yet").isNotNull();
    assertThat(read.decision()).isEqualTo(DecisionStoreFormatTest.decision());
    assertThat(read.encoded()).isNull();
  }

  @Test
  void aValueReadAndWrittenBackUndecodedKeepsItsBytes() {
    byte[] golden = HexFormat.of().parseHex(GOLDEN_FORMAT_1);
    assertThat(serde.encode(serde.decode(golden))).isEqualTo(golden);
  }

  @Test
  void aDecisionStoredByThePreviousVersionIsReadWithItsDecidedAtAsTheTime() {
    ScheduleDecision expected = DecisionStoreFormatTest.decision();
    StoredDecision read = serde.decode(HexFormat.of().parseHex(DecisionStoreFormatTest.GOLDEN));
    assertThat(read.decidedAt()).isEqualTo(expected.getDecidedAt().toEpochMilli());
    assertThat(read.decision()).isEqualTo(expected);
  }

  @Test
  void anythingElseIsAClearSerializationError() {
    assertThatThrownBy(() -> serde.decode(new byte[0]))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> serde.decode(new byte[] {1, 0, 0}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("3 bytes");
    assertThatThrownBy(() -> serde.decode(new byte[] {7, 0, 0, 0, 0, 0, 0, 0, 0, 0}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("format byte 7");
    byte[] truncated = HexFormat.of().parseHex(GOLDEN_FORMAT_1.substring(0, 40));
    assertThatThrownBy(() -> serde.decode(truncated).decision())
        .isInstanceOf(SerializationException.class);
  }
}
