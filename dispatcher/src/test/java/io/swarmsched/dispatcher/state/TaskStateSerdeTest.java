package io.swarmsched.dispatcher.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swarmsched.scheduling.resource.PeerState;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class TaskStateSerdeTest {

  private static TaskState sample() {
    TaskState t = new TaskState("task-1");
    t.url = "https://origin/é/" + "x".repeat(70_000);
    t.digest = null;
    PeerRecord a = new PeerRecord("p-a", "h-a", 1_700_000_000_000L);
    a.status = PeerState.SUCCEEDED;
    a.piecesFinished = 64;
    a.pieceCount = 64;
    a.lastProgressAt = 1_700_000_005_000L;
    for (long c : new long[] {40, 41, 0, 9_000}) a.addPieceCost(c, 256);
    PeerRecord b = new PeerRecord("p-b", "h-b", 1_700_000_001_000L);
    b.status = PeerState.RUNNING;
    b.parents = List.of("p-a");
    b.received.fromParent("p-a", 262_144);
    b.received.fromParent("p-a", 100);
    b.received.fromParent("p-gone", 7);
    b.received.fromParent(null, 9);
    b.received.fromOrigin(1_000_000);
    t.peers.put(a.peerId, a);
    t.peers.put(b.peerId, b);
    t.failedSeeds.put("seed-1", 1_699_999_000_000L);
    t.seedHostId = "seed-2";
    t.seedTriggeredAt = 1_700_000_000_500L;
    t.pending.put("req-1", "0000001700000000600|req-1");
    return t;
  }

  @Test
  void roundTripKeepsEveryField() {
    TaskState t = sample();
    TaskState back = TaskStateSerde.decode(TaskStateSerde.encode(t));
    assertThat(back)
        .usingRecursiveComparison()
        .ignoringFieldsMatchingRegexes(".*costStats", ".*costVersion", "coreMirror")
        .isEqualTo(t);
    assertThat(back.peers.get("p-a").costStats())
        .usingRecursiveComparison()
        .isEqualTo(t.peers.get("p-a").costStats());
  }

  @Test
  void readsVersionOneWhichHadNoServedBytes() {
    // A task of one peer as version 1 wrote it (before ServedBytes). Numbers are zig-zag varints
    // (n is written 2n), strings a length then UTF-8: version 1 | task "t1" | url "u" | no digest |
    // 1 peer: "p", host "h", RUNNING, parents ["s"], 3 of 4 pieces, registered at 10, progress
    // 2 ms later, costs [5] | no failed seeds | no seed | triggered at 0 | no pending requests.
    byte[] v1 =
        java.util.HexFormat.ofDelimiter(" ")
            .parseHex(
                "01 04 74 31 02 75 00 02 02 70 01 02 68 01 02 02 73 06 08 14 04 02 0a 00 00 00 00");
    TaskState t = TaskStateSerde.decode(v1);
    PeerRecord p = t.peers.get("p");
    assertThat(p.status).isEqualTo(PeerState.RUNNING);
    assertThat(p.parents).containsExactly("s");
    assertThat(p.piecesFinished).isEqualTo(3);
    assertThat(p.lastProgressAt).isEqualTo(12);
    assertThat(p.pieceCosts).containsExactly(5L);
    assertThat(p.received.isEmpty()).isTrue();
    // and it is written back as the current version, served bytes included
    p.received.fromParent("s", 42);
    TaskState again = TaskStateSerde.decode(TaskStateSerde.encode(t));
    assertThat(again.peers.get("p").received.byParent.get("s").bytes).isEqualTo(42);
  }

  @Test
  void readsTaskStatesWrittenAsJsonByEarlierVersions() {
    TaskState t = sample();
    byte[] json = new JsonSerde<>(TaskState.class).serializer().serialize("t", t);
    TaskState back = new TaskStateSerde().deserializer().deserialize("t", json);
    assertThat(back.peers.keySet()).containsExactly("p-a", "p-b");
    assertThat(back.peers.get("p-b").parents).containsExactly("p-a");
    assertThat(back.pending).isEqualTo(t.pending);
  }

  @Test
  void encodingIsMuchSmallerThanJson() {
    TaskState t = new TaskState("task-big");
    for (int i = 0; i < 1_000; i++) {
      PeerRecord p =
          new PeerRecord(
              "task-big-peer-" + i, String.format("host-%06d", i), 1_700_000_000_000L + i);
      p.status = PeerState.SUCCEEDED;
      t.peers.put(p.peerId, p);
    }
    int json = new JsonSerde<>(TaskState.class).serializer().serialize("t", t).length;
    assertThat(TaskStateSerde.encode(t).length).isLessThan(json / 3);
  }

  @Test
  void peerStatesKeepTheOrdinalsStoredTasksWereWrittenWith() {
    // the binary format stores a peer's state by ordinal: reordering core's PeerState would misread
    // stored tasks
    assertThat(PeerState.values())
        .containsExactly(
            PeerState.PENDING,
            PeerState.RUNNING,
            PeerState.BACK_TO_SOURCE,
            PeerState.SUCCEEDED,
            PeerState.FAILED,
            PeerState.LEFT);
  }

  @Test
  void corruptBytesGiveASerializationException() {
    assertThatThrownBy(() -> TaskStateSerde.decode(new byte[] {9, 1, 2}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("TaskState");
    byte[] truncated = java.util.Arrays.copyOf(TaskStateSerde.encode(sample()), 20);
    assertThatThrownBy(() -> TaskStateSerde.decode(truncated))
        .isInstanceOf(SerializationException.class);
  }

  @Test
  void costStatsAreThoseOfTheSampleWindow() {
    PeerRecord p = new PeerRecord("p", "h", 0);
    for (long c = 1; c <= 300; c++) p.addPieceCost(c, 256);
    assertThat(p.pieceCosts).hasSize(256).startsWith(45L).endsWith(300L);
    assertThat(p.costStats())
        .usingRecursiveComparison()
        .isEqualTo(io.swarmsched.scheduling.stats.PieceCostStats.of(p.pieceCosts));
  }
}
