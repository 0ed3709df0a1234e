package io.swarmsched.dispatcher.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swarmsched.scheduling.ledger.HostAllocations;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** The ledger store's value format, and the JSON the former LedgerEntry was stored as. */
class HostAllocationsSerdeTest {

  /** A ledger entry as the dispatcher stored it before (two uploads at 100, one at 250). */
  private static final String FORMER_JSON = "{\"hostId\":\"h-a\",\"uploadTimes\":[100,100,250]}";

  @Test
  void roundTripKeepsEveryAllocation() {
    HostAllocations a = new HostAllocations();
    for (long t : new long[] {100, 100, 250, -3}) a.record(t);
    HostAllocations back = HostAllocationsSerde.decode(HostAllocationsSerde.encode(a));
    assertThat(back.byTime()).isEqualTo(a.byTime());
    assertThat(back.size()).isEqualTo(4);
  }

  @Test
  void readsTheFormerJsonLedgerEntries() {
    HostAllocations back =
        new HostAllocationsSerde()
            .deserializer()
            .deserialize("t", FORMER_JSON.getBytes(StandardCharsets.UTF_8));
    assertThat(back.byTime()).isEqualTo(Map.of(100L, 2, 250L, 1));
  }

  @Test
  void corruptBytesGiveASerializationException() {
    assertThatThrownBy(() -> HostAllocationsSerde.decode(new byte[] {7}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("version 7");
    assertThatThrownBy(() -> HostAllocationsSerde.decode(new byte[] {1, 4, 2}))
        .isInstanceOf(SerializationException.class);
  }
}
