package io.swarmsched.dispatcher.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swarmsched.scheduling.resource.Peer;
import io.swarmsched.scheduling.resource.PeerState;
import io.swarmsched.scheduling.resource.PeerStateMachine;
import io.swarmsched.scheduling.resource.Task;
import io.swarmsched.scheduling.stats.PieceCostStats;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/**
 * The task store's value format: what version 4 writes reads back as the same task, and values
 * written by earlier versions (kept here as bytes, as those versions wrote them) still read.
 */
class StoredTaskSerdeTest {

  /**
   * A task as version 1 wrote it (the dispatcher's former TaskState/PeerRecord): p-a SUCCEEDED with
   * 64/64 pieces and costs 40, 41, 0, 9000; p-b RUNNING with 3/64 and parent p-a; a failed seed, a
   * triggered seed and a waiting request.
   */
  private static final String VERSION_1 =
      "010c7461736b2d312c68747470733a2f2f6f726967696e2fc3a92f66696c6501127368613235363a61620406702d610106682d6103008001800180a0abfef962904e08505200d08c0106702d620106682d62010206702d61068001d0afabfef9620000020c736565642d318097b1fdf962010c736565642d32e8a7abfef962020a7265712d3132303030303030313730303030303030303630307c7265712d31";

  /**
   * A task as version 2 wrote it (core's task, before {@link ServedBytes}), from main's encoder of
   * that version: task-2, digest sha256:ab; p-a SUCCEEDED (created at 1_700_000_000_000, RUNNING 2
   * s later, SUCCEEDED at +5 s) with 4 pieces of costs 40, 41, 0, 9000 of 64; p-b RUNNING (created
   * at 1_700_000_001_000, RUNNING at +500 ms) with one piece of cost 7 at +2 s and parent p-a; a
   * failed seed, a triggered seed and a waiting request.
   */
  private static final String VERSION_2 =
      "020c7461736b2d322c68747470733a2f2f6f726967696e2fc3a92f66696c6501127368613235363a61620406702d6106682d610380a0abfef962904e904e08800108d08c01403b00000000000040911800000000000006702d6206682d6201d0afabfef962e807a01f0200020e000000000000000000000000000000000206702d61020c736565642d318097b1fdf962010c736565642d32e8a7abfef962020a7265712d3132303030303030313730303030303030303630307c7265712d31";

  /**
   * A task as version 3 wrote it: task-3, digest sha256:ab; p-a and p-b as in {@link #VERSION_2}
   * (p-b without its piece); p-a received 262,144 bytes from the origin, p-b 262,144 from p-a, 7
   * from p-gone (since gone) and 9 from a parent nobody named.
   */
  private static final String VERSION_3 =
      "030c7461736b2d332c68747470733a2f2f6f726967696e2fc3a92f66696c6501127368613235363a61620406702d6106682d610380a0abfef962904e904e08800108d08c01403b0000000000004091180000000000000080802002000006702d6206682d6201d0afabfef962e807e8070000000206702d610406702d61808020020c702d676f6e650e0200001202020c736565642d318097b1fdf962010c736565642d32e8a7abfef962020a7265712d3132303030303030313730303030303030303630307c7265712d31";

  /**
   * The task of {@link #VERSION_3} as version 4 writes it: p-b's parent p-a as its position (00)
   * where version 3 wrote "p-a" (06702d61).
   */
  private static final String VERSION_4 =
      "040c7461736b2d332c68747470733a2f2f6f726967696e2fc3a92f66696c6501127368613235363a61620406702d6106682d610380a0abfef962904e904e08800108d08c01403b0000000000004091180000000000000080802002000006702d6206682d6201d0afabfef962e807e80700000002000406702d61808020020c702d676f6e650e0200001202020c736565642d318097b1fdf962010c736565642d32e8a7abfef962020a7265712d3132303030303030313730303030303030303630307c7265712d31";

  /** The same task as the JSON written before version 1. */
  private static final String JSON =
      "{\"taskId\":\"task-1\",\"url\":\"https://origin/é/file\",\"digest\":\"sha256:ab\",\"peers\":{\"p-a\":{\"peerId\":\"p-a\",\"hostId\":\"h-a\",\"status\":\"SUCCEEDED\",\"parents\":[],\"piecesFinished\":64,\"pieceCount\":64,\"registeredAt\":1700000000000,\"lastProgressAt\":1700000005000,\"pieceCosts\":[40,41,0,9000]},\"p-b\":{\"peerId\":\"p-b\",\"hostId\":\"h-b\",\"status\":\"RUNNING\",\"parents\":[\"p-a\"],\"piecesFinished\":3,\"pieceCount\":64,\"registeredAt\":1700000001000,\"lastProgressAt\":1700000001000,\"pieceCosts\":[]}},\"failedSeeds\":{\"seed-1\":1699999000000},\"seedHostId\":\"seed-2\",\"seedTriggeredAt\":1700000000500,\"pending\":{\"req-1\":\"0000001700000000600|req-1\"}}";

  private static StoredTask sample() {
    Task t = new Task("task-1", "https://origin/\u00e9/" + "x".repeat(70_000));
    Peer a = new Peer("p-a", "task-1", "h-a", 1_700_000_000_000L);
    PeerStateMachine machine = new PeerStateMachine();
    machine.transition(a, PeerState.RUNNING, 1_700_000_002_000L);
    for (long c : new long[] {40, 41, 0, 9_000}) a.recordPiece(c, 1_700_000_004_000L);
    a.reportPieceCount(64);
    machine.transition(a, PeerState.SUCCEEDED, 1_700_000_005_000L);
    Peer b = new Peer("p-b", "task-1", "h-b", 1_700_000_001_000L);
    machine.transition(b, PeerState.RUNNING, 1_700_000_001_500L);
    t.addPeer(a);
    t.addPeer(b);
    t.dag().addEdge("p-a", "p-b");
    StoredTask s = new StoredTask(t);
    s.digest = null;
    s.failedSeeds.put("seed-1", 1_699_999_000_000L);
    s.seedHostId = "seed-2";
    s.seedTriggeredAt = 1_700_000_000_500L;
    s.pending.put("req-1", "0000001700000000600|req-1");
    s.servedTo("p-a").fromOrigin(262_144);
    s.servedTo("p-b").fromParent("p-a", 262_144);
    s.servedTo("p-b").fromParent("p-a", 100);
    s.servedTo("p-b").fromParent("p-gone", 7); // served, then left the task
    s.servedTo("p-b").fromParent(null, 9); // a piece event that named no parent
    s.servedTo("p-b").fromOrigin(1_000_000);
    return s;
  }

  @Test
  void roundTripKeepsEveryField() {
    StoredTask t = sample();
    StoredTask back = StoredTaskSerde.decode(StoredTaskSerde.encode(t));
    assertThat(StoredTaskSerde.encode(t)[0]).isEqualTo(StoredTaskSerde.VERSION);
    assertSame(back, t);
  }

  @Test
  void whatEachPeerReceivedIsKeptAndOnlyForPeersOfTheTask() {
    StoredTask t = sample();
    t.servedTo("p-not-in-task").fromOrigin(5); // never written: only the task's peers are
    StoredTask back = StoredTaskSerde.decode(StoredTaskSerde.encode(t));
    assertThat(back.served).containsOnlyKeys("p-a", "p-b");
    ServedBytes b = back.servedOrNull("p-b");
    assertThat(b.byParent).containsOnlyKeys("p-a", "p-gone");
    assertThat(b.byParent.get("p-a").bytes).isEqualTo(262_244);
    assertThat(b.byParent.get("p-a").pieces).isEqualTo(2);
    assertThat(b.unlisted.bytes).isEqualTo(9);
    assertThat(b.origin.pieces).isEqualTo(1);
    assertThat(b.totalBytes()).isEqualTo(262_244 + 7 + 9 + 1_000_000);
  }

  @Test
  void readsTasksWrittenByVersion3() {
    assertTheVersion3Sample(StoredTaskSerde.decode(HexFormat.of().parseHex(VERSION_3)));
  }

  @Test
  void readsAndWritesVersion4ByteForByte() {
    StoredTask back = StoredTaskSerde.decode(HexFormat.of().parseHex(VERSION_4));
    assertTheVersion3Sample(back);
    assertThat(HexFormat.of().formatHex(StoredTaskSerde.encode(back))).isEqualTo(VERSION_4);
    // the same task written as version 3 is the old value, byte for byte
    assertThat(HexFormat.of().formatHex(StoredTaskSerde.encode(back, 3))).isEqualTo(VERSION_3);
  }

  /**
   * A large task, then a small one, on the same thread: the encoder's reused buffer and position
   * table carry nothing over, every edge and served entry comes back, and version 4 says what
   * version 3 says.
   */
  @Test
  void largeAndSmallTasksInTurnOnOneThreadReadBackWhole() {
    Task t = new Task("big", "u");
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(7);
    int n = 2_000;
    // ids in the order they are added, so that the DAG's edge order survives the round trip
    for (int i = 0; i < n; i++) {
      t.addPeer(new Peer(String.format("peer-%05d", i), "big", "h-" + (i * 7_919 % n), i));
    }
    StoredTask big = new StoredTask(t);
    List<Peer> peers = t.peerList();
    for (int i = 1; i < n; i++) {
      for (int k = 0; k < 3; k++) {
        String parent = peers.get(rnd.nextInt(i)).peerId();
        String child = peers.get(i).peerId();
        if (t.dag().canAddEdge(parent, child)) {
          t.dag().addEdge(parent, child);
          big.servedTo(child).fromParent(parent, 1 + rnd.nextInt(1_000));
        }
      }
    }
    big.servedTo("peer-00000-gone").fromOrigin(3); // sorts between peers: skipped, not misplaced
    big.servedTo("zz-gone").fromOrigin(4); // after every peer

    byte[] bytes = StoredTaskSerde.encode(big);
    StoredTask back = StoredTaskSerde.decode(bytes);
    assertThat(back.task().dag().edges()).isEqualTo(t.dag().edges());
    assertThat(back.served).doesNotContainKeys("peer-00000-gone", "zz-gone");
    // every peer, edge and served entry: the value read back writes the same bytes
    assertThat(back.task().peerCount()).isEqualTo(n);
    assertThat(back.served).hasSize(big.served.size() - 2);
    for (String id : back.served.keySet()) {
      Map<String, ServedBytes.Share> was = big.servedOrNull(id).byParent;
      assertThat(back.servedOrNull(id).byParent).hasSameSizeAs(was);
      back.servedOrNull(id)
          .byParent
          .forEach((k, v) -> assertThat(v.bytes).isEqualTo(was.get(k).bytes));
    }
    assertThat(StoredTaskSerde.encode(back)).isEqualTo(bytes);
    StoredTask fromV3 = StoredTaskSerde.decode(StoredTaskSerde.encode(big, 3));
    assertThat(fromV3.task().dag().edges()).isEqualTo(t.dag().edges());

    StoredTask small = sample();
    assertSame(StoredTaskSerde.decode(StoredTaskSerde.encode(small)), small);
    assertThat(StoredTaskSerde.encode(big)).isEqualTo(bytes); // again, after the small one
  }

  @Test
  void aParentLaterInThePeerListKeepsItsEdge() {
    Task t = new Task("t", "u");
    t.addPeer(new Peer("child", "t", "h-1", 1));
    t.addPeer(new Peer("parent", "t", "h-2", 2));
    t.dag().addEdge("parent", "child");
    StoredTask back = StoredTaskSerde.decode(StoredTaskSerde.encode(new StoredTask(t)));
    assertThat(back.task().dag().parents("child")).containsExactly("parent");
    assertThat(back.task().dag().edgeCount()).isEqualTo(1);
  }

  @Test
  void aParentPositionPastThePeerListIsASerializationException() {
    // p-b's parents: one (02), at position 0 (00); then its served bytes, by p-a first
    String pbParents = "0200" + "0406702d61";
    assertThat(VERSION_4.indexOf(pbParents)).isEqualTo(VERSION_4.lastIndexOf(pbParents));
    String hex = VERSION_4.replace(pbParents, "0204" + "0406702d61"); // position 2 of 2 peers
    assertThatThrownBy(() -> StoredTaskSerde.decode(HexFormat.of().parseHex(hex)))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("stored task");
  }

  private static void assertTheVersion3Sample(StoredTask back) {
    assertThat(back.task().taskId()).isEqualTo("task-3");
    assertThat(back.digest).isEqualTo("sha256:ab");
    assertThat(back.task().peers()).extracting(Peer::peerId).containsExactly("p-a", "p-b");
    Peer a = back.task().peer("p-a").orElseThrow();
    assertThat(a.state()).isEqualTo(PeerState.SUCCEEDED);
    assertThat(a.piecesFinished()).isEqualTo(4);
    assertThat(a.pieceCosts())
        .usingRecursiveComparison()
        .isEqualTo(PieceCostStats.of(List.of(40L, 41L, 0L, 9_000L)));
    assertThat(back.task().dag().parents("p-b")).containsExactly("p-a");
    assertThat(back.servedOrNull("p-a").origin.bytes).isEqualTo(262_144);
    ServedBytes b = back.servedOrNull("p-b");
    assertThat(b.byParent).containsOnlyKeys("p-a", "p-gone");
    assertThat(b.byParent.get("p-gone").bytes).isEqualTo(7);
    assertThat(b.unlisted.bytes).isEqualTo(9);
    assertThat(back.failedSeeds).isEqualTo(Map.of("seed-1", 1_699_999_000_000L));
    assertThat(back.pending).isEqualTo(Map.of("req-1", "0000001700000000600|req-1"));
  }

  @Test
  void readsTasksWrittenByVersion2WithNothingServedYet() {
    StoredTask back = StoredTaskSerde.decode(HexFormat.of().parseHex(VERSION_2));
    Task t = back.task();
    assertThat(t.taskId()).isEqualTo("task-2");
    assertThat(t.url()).isEqualTo("https://origin/\u00e9/file");
    assertThat(back.digest).isEqualTo("sha256:ab");
    Peer a = t.peer("p-a").orElseThrow();
    assertThat(a.state()).isEqualTo(PeerState.SUCCEEDED);
    assertThat(a.createdAtMillis()).isEqualTo(1_700_000_000_000L);
    assertThat(a.stateChangedAtMillis()).isEqualTo(1_700_000_005_000L);
    // core counts the move to SUCCEEDED as progress
    assertThat(a.lastProgressMillis()).isEqualTo(1_700_000_005_000L);
    assertThat(a.piecesFinished()).isEqualTo(4);
    assertThat(a.pieceCount()).isEqualTo(64);
    assertThat(a.pieceCosts())
        .usingRecursiveComparison()
        .isEqualTo(PieceCostStats.of(List.of(40L, 41L, 0L, 9_000L)));
    Peer b = t.peer("p-b").orElseThrow();
    assertThat(b.state()).isEqualTo(PeerState.RUNNING);
    assertThat(b.stateChangedAtMillis()).isEqualTo(1_700_000_001_500L);
    assertThat(b.lastProgressMillis()).isEqualTo(1_700_000_003_000L);
    assertThat(b.piecesFinished()).isEqualTo(1);
    assertThat(t.dag().parents("p-b")).containsExactly("p-a");
    assertThat(back.failedSeeds).isEqualTo(Map.of("seed-1", 1_699_999_000_000L));
    assertThat(back.seedHostId).isEqualTo("seed-2");
    assertThat(back.seedTriggeredAt).isEqualTo(1_700_000_000_500L);
    assertThat(back.pending).isEqualTo(Map.of("req-1", "0000001700000000600|req-1"));
    assertThat(back.served).as("version 2 had no served bytes").isEmpty();
    // written back as the current version, what is served from now on included
    back.servedTo("p-b").fromParent("p-a", 42);
    byte[] again = StoredTaskSerde.encode(back);
    assertThat(again[0]).isEqualTo(StoredTaskSerde.VERSION);
    assertThat(StoredTaskSerde.decode(again).servedOrNull("p-b").byParent.get("p-a").bytes)
        .isEqualTo(42);
  }

  @Test
  void readsTasksWrittenByVersion1() {
    StoredTask back = StoredTaskSerde.decode(HexFormat.of().parseHex(VERSION_1));
    assertTheFormerSample(back);
  }

  @Test
  void readsTasksWrittenAsJsonBeforeVersion1() {
    StoredTask back =
        new StoredTaskSerde()
            .deserializer()
            .deserialize("t", JSON.getBytes(StandardCharsets.UTF_8));
    assertTheFormerSample(back);
  }

  /** What versions 1 and JSON held, as core's task: one progress time for both peer times. */
  private static void assertTheFormerSample(StoredTask back) {
    Task t = back.task();
    assertThat(t.taskId()).isEqualTo("task-1");
    assertThat(t.url()).isEqualTo("https://origin/\u00e9/file");
    assertThat(back.digest).isEqualTo("sha256:ab");
    assertThat(t.peers()).extracting(Peer::peerId).containsExactly("p-a", "p-b");
    Peer a = t.peer("p-a").orElseThrow();
    assertThat(a.state()).isEqualTo(PeerState.SUCCEEDED);
    assertThat(a.hostId()).isEqualTo("h-a");
    assertThat(a.piecesFinished()).isEqualTo(64);
    assertThat(a.pieceCount()).isEqualTo(64);
    assertThat(a.createdAtMillis()).isEqualTo(1_700_000_000_000L);
    assertThat(a.lastProgressMillis()).isEqualTo(1_700_000_005_000L);
    assertThat(a.stateChangedAtMillis()).isEqualTo(1_700_000_005_000L);
    assertThat(a.pieceCosts())
        .usingRecursiveComparison()
        .isEqualTo(PieceCostStats.of(List.of(40L, 41L, 0L, 9_000L)));
    Peer b = t.peer("p-b").orElseThrow();
    assertThat(b.state()).isEqualTo(PeerState.RUNNING);
    assertThat(b.piecesFinished()).isEqualTo(3);
    assertThat(t.dag().parents("p-b")).containsExactly("p-a");
    assertThat(t.dag().parents("p-a")).isEmpty();
    assertThat(back.failedSeeds).isEqualTo(Map.of("seed-1", 1_699_999_000_000L));
    assertThat(back.seedHostId).isEqualTo("seed-2");
    assertThat(back.seedTriggeredAt).isEqualTo(1_700_000_000_500L);
    assertThat(back.pending).isEqualTo(Map.of("req-1", "0000001700000000600|req-1"));
    assertThat(back.served).isEmpty();
  }

  @Test
  void aStoredCycleIsBrokenOnReadingNotKept() {
    StoredTask t = sample();
    t.task().dag().addEdgeWithoutCycleCheck("p-b", "p-a"); // only a damaged value holds one
    Task back = StoredTaskSerde.decode(StoredTaskSerde.encode(t)).task();
    assertThat(back.dag().isAcyclic()).isTrue();
    assertThat(back.dag().edgeCount()).isEqualTo(1);
  }

  @Test
  void peerStatesKeepTheOrdinalsStoredTasksWereWrittenWith() {
    // a peer's state is stored by ordinal: reordering core's PeerState would misread stored tasks
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
    assertThatThrownBy(() -> StoredTaskSerde.decode(new byte[] {9, 1, 2}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("version 9");
    byte[] truncated = java.util.Arrays.copyOf(StoredTaskSerde.encode(sample()), 20);
    assertThatThrownBy(() -> StoredTaskSerde.decode(truncated))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("stored task");
  }

  private static void assertSame(StoredTask back, StoredTask t) {
    assertThat(back.task().taskId()).isEqualTo(t.task().taskId());
    assertThat(back.task().url()).isEqualTo(t.task().url());
    assertThat(back.digest).isEqualTo(t.digest);
    assertThat(back.task().peers()).usingRecursiveComparison().isEqualTo(t.task().peers());
    assertThat(back.task().dag().edges()).isEqualTo(t.task().dag().edges());
    assertThat(back.failedSeeds).isEqualTo(t.failedSeeds);
    assertThat(back.seedHostId).isEqualTo(t.seedHostId);
    assertThat(back.seedTriggeredAt).isEqualTo(t.seedTriggeredAt);
    assertThat(back.pending).isEqualTo(t.pending);
    assertThat(back.served).usingRecursiveComparison().isEqualTo(t.served);
  }
}
