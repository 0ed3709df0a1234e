package io.swarmsched.dispatcher.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swarmsched.scheduling.resource.Peer;
import io.swarmsched.scheduling.resource.PeerState;
import io.swarmsched.scheduling.resource.PeerStateMachine;
import io.swarmsched.scheduling.resource.Task;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/**
 * The task store's records (format 5): their bytes, that a change writes only the records it
 * changed, that a task comes back whole from its records (as after a restart, when the store is
 * restored from its changelog), and that a whole task written by the previous format is read and
 * put in records at its first write.
 */
class TaskStoreTest {

  /** The header of {@link #task} (task-3, digest sha256:ab, a failed and a triggered seed). */
  static final String HEADER =
      "050c7461736b2d332c68747470733a2f2f6f726967696e2fc3a92f66696c6501127368613235363a6162020c736565642d318097b1fdf962010c736565642d32e8a7abfef962";

  /**
   * p-b's record: the byte 5, then p-b as version 3 wrote it in the task (RUNNING, parent p-a by
   * its id, 262,144 bytes from p-a, 7 from p-gone, 9 from a parent nobody named).
   */
  static final String PEER_B =
      "0506702d6206682d6201d0afabfef962e807e8070000000206702d610406702d61808020020c702d676f6e650e0200001202";

  /** req-1's record: the key of its entry in the retry store. */
  static final String PENDING_REQ_1 = "053230303030303031373030303030303030363030" + "7c7265712d31";

  /** The task of {@link StoredTaskSerdeTest}'s version 4 (task-3), as version 4 wrote it. */
  static final String VERSION_4 =
      "040c7461736b2d332c68747470733a2f2f6f726967696e2fc3a92f66696c6501127368613235363a61620406702d6106682d610380a0abfef962904e904e08800108d08c01403b0000000000004091180000000000000080802002000006702d6206682d6201d0afabfef962e807e80700000002000406702d61808020020c702d676f6e650e0200001202020c736565642d318097b1fdf962010c736565642d32e8a7abfef962020a7265712d3132303030303030313730303030303030303630307c7265712d31";

  private final MapStore inner = new MapStore();
  private final TaskStore store = new TaskStore(inner, 100);

  @Test
  void recordsHaveTheirBytes() {
    StoredTask t = TaskRecords.readWhole(HexFormat.of().parseHex(VERSION_4));
    assertThat(HexFormat.of().formatHex(TaskRecords.header(t))).isEqualTo(HEADER);
    Peer b = t.task().peer("p-b").orElseThrow();
    assertThat(HexFormat.of().formatHex(TaskRecords.peer(t, b))).isEqualTo(PEER_B);
    assertThat(HexFormat.of().formatHex(TaskRecords.pending(t.pending.get("req-1"))))
        .isEqualTo(PENDING_REQ_1);
  }

  @Test
  void aWholeTaskOfTheFormerFormatIsReadThenWrittenAsRecords() {
    inner.map.put("task-3", HexFormat.of().parseHex(VERSION_4));
    StoredTask t = store.get("task-3");
    String before = TaskRecords.describe(t);
    assertThat(t.task().dag().parents("p-b")).containsExactly("p-a");
    assertThat(t.pending).containsEntry("req-1", "0000001700000000600|req-1");
    store.put("task-3", t);
    store.flushDirty();
    assertThat(inner.map.keySet())
        .containsExactly(
            "task-3",
            TaskRecords.peerKey("task-3", "p-a"),
            TaskRecords.peerKey("task-3", "p-b"),
            TaskRecords.pendingKey("task-3", "req-1"));
    assertThat(HexFormat.of().formatHex(inner.map.get("task-3"))).isEqualTo(HEADER);
    assertThat(HexFormat.of().formatHex(inner.map.get(TaskRecords.peerKey("task-3", "p-b"))))
        .isEqualTo(PEER_B);
    // a restart: a new store over what the changelog restored
    assertThat(TaskRecords.describe(new TaskStore(inner, 100).get("task-3"))).isEqualTo(before);
  }

  @Test
  void aChangeToOnePeerWritesOnlyItsRecord() {
    StoredTask t = bigTask(1_000);
    store.put(t.taskId(), t);
    store.flushDirty();
    inner.writes.clear();

    // as a decision does: the requester gets a parent and runs
    StoredTask same = store.get("big");
    Peer me = same.task().peer(id(500)).orElseThrow();
    same.task().dag().addEdge(id(0), me.peerId());
    new PeerStateMachine().transition(me, PeerState.RUNNING, 2_000);
    same.changed(me.peerId());
    store.put("big", same);
    store.flushDirty();
    assertThat(inner.writes).containsExactly(TaskRecords.peerKey("big", id(500)));

    // a waiting request and the seed: its record and the header
    inner.writes.clear();
    same.pending.put("r1", "0000000000000002000|r1");
    same.seedHostId = "seed-host";
    store.put("big", same);
    store.flushDirty();
    assertThat(inner.writes).containsExactlyInAnyOrder(TaskRecords.pendingKey("big", "r1"), "big");
    assertThat(TaskRecords.describe(new TaskStore(inner, 100).get("big")))
        .isEqualTo(TaskRecords.describe(same));
  }

  @Test
  void aPeerThatLeavesTakesItsRecordAndItsChildrensEdges() {
    StoredTask t = bigTask(5);
    t.task().dag().addEdge(id(1), id(2));
    t.task().dag().addEdge(id(1), id(3));
    store.put(t.taskId(), t);
    store.flushDirty();
    StoredTask same = store.get("big");
    same.forgetServed(id(1));
    same.changed(same.task().removePeer(id(1)));
    same.pending.put("r1", "k1");
    store.put("big", same);
    store.flushDirty();
    same.pending.remove("r1");
    store.put("big", same);
    store.flushDirty();
    assertThat(inner.map).doesNotContainKeys(TaskRecords.peerKey("big", id(1)));
    assertThat(inner.map).doesNotContainKeys(TaskRecords.pendingKey("big", "r1"));
    StoredTask back = new TaskStore(inner, 100).get("big");
    assertThat(back.task().peerCount()).isEqualTo(4);
    assertThat(back.task().dag().edgeCount()).isZero();
    assertThat(TaskRecords.describe(back)).isEqualTo(TaskRecords.describe(same));

    // the task goes: every record with it
    store.delete("big");
    store.flushDirty();
    assertThat(inner.map).isEmpty();
    assertThat(new TaskStore(inner, 100).get("big")).isNull();
  }

  @Test
  void aDepartureIsARecordOfItsOwnKeptUntilForgottenAndTheTaskWithIt() {
    StoredTask t = bigTask(3);
    store.put(t.taskId(), t);
    store.flushDirty();
    inner.writes.clear();

    StoredTask same = store.get("big");
    same.forgetServed(id(1));
    same.changed(same.task().removePeer(id(1)));
    same.departed(id(1), 5_000);
    store.put("big", same);
    store.flushDirty();
    assertThat(inner.writes)
        .containsExactlyInAnyOrder(
            TaskRecords.peerKey("big", id(1)), TaskRecords.departedKey("big", id(1)));
    assertThat(HexFormat.of().formatHex(inner.map.get(TaskRecords.departedKey("big", id(1)))))
        .as("the byte 5, then 5,000 as a zig-zag varint")
        .isEqualTo("05904e");
    assertThat(same.onlyDepartures()).as("two peers are still there").isFalse();
    // a restart: the departure comes back with the task
    StoredTask back = new TaskStore(inner, 100).get("big");
    assertThat(back.departed).containsExactly(Map.entry(id(1), 5_000L));
    assertThat(TaskRecords.describe(back)).isEqualTo(TaskRecords.describe(same));

    // not forgotten before its time; forgotten after, its record deleted
    assertThat(same.forgetOldDepartures(5_000 + StoredTask.DEPARTURE_MEMORY_MILLIS - 1)).isFalse();
    assertThat(same.forgetOldDepartures(5_000 + StoredTask.DEPARTURE_MEMORY_MILLIS)).isTrue();
    store.put("big", same);
    store.flushDirty();
    assertThat(inner.map).doesNotContainKey(TaskRecords.departedKey("big", id(1)));

    // a task whose last peer left is kept while it remembers the departure
    for (int i : new int[] {0, 2}) {
      same.changed(same.task().removePeer(id(i)));
      same.departed(id(i), 6_000);
    }
    assertThat(same.isEmpty()).isFalse();
    assertThat(same.onlyDepartures())
        .as("shown as gone by the task list and the task's page")
        .isTrue();
    same.forgetOldDepartures(6_000 + StoredTask.DEPARTURE_MEMORY_MILLIS);
    assertThat(same.isEmpty()).isTrue();
    assertThat(same.onlyDepartures()).isFalse();
  }

  @Test
  void departuresAreBoundedTheOldestForgottenFirst() {
    StoredTask t = bigTask(1);
    for (int i = 0; i <= StoredTask.MAX_DEPARTED; i++) t.departed("gone-" + i, 10_000 - i);
    assertThat(t.departed).hasSize(StoredTask.MAX_DEPARTED);
    assertThat(t.departed).doesNotContainKey("gone-" + StoredTask.MAX_DEPARTED);
    assertThat(t.departed).containsKey("gone-0");
  }

  @Test
  void aChangedTaskEvictedIsWrittenAndScansSeeEveryTask() {
    TaskStore small = new TaskStore(inner, 2);
    for (int i = 0; i < 3; i++) {
      StoredTask t = new StoredTask(new Task("t" + i, "https://o/" + i));
      t.task().addPeer(new Peer("p", "t" + i, "h", 1_000 + i));
      t.changed("p");
      small.put("t" + i, t);
    }
    assertThat(inner.map).containsKey("t0"); // evicted, so written
    assertThat(small.taskIds()).containsExactly("t0", "t1", "t2");
    List<String> seen = new ArrayList<>();
    try (KeyValueIterator<String, StoredTask> it = small.all()) {
      it.forEachRemaining(kv -> seen.add(kv.key + "/" + kv.value.task().peerList().get(0)));
    }
    assertThat(seen).hasSize(3).allMatch(s -> s.contains("Peer{p@h"));
    try (KeyValueIterator<String, StoredTask> it = small.range("t1", "t1")) {
      assertThat(it.next().key).isEqualTo("t1");
      assertThat(it.hasNext()).isFalse();
    }
  }

  @Test
  void anUnmarkedChangeFailsTheSelfCheck() {
    StoredTask t = bigTask(3);
    store.put(t.taskId(), t);
    store.flushDirty();
    StoredTask same = store.get("big");
    same.task().dag().addEdge(id(0), id(1)); // not marked
    String mine = TaskRecords.describe(same);
    String stored = TaskRecords.describe(new TaskStore(inner, 100).get("big"));
    assertThat(stored).isNotEqualTo(mine); // what the store's self-check (tests) would report
  }

  @Test
  void aRecordOfAnotherFormatIsRefused() {
    byte[] header = HexFormat.of().parseHex(HEADER);
    assertThatThrownBy(
            () ->
                TaskRecords.read(
                    header,
                    List.of(Map.entry(TaskRecords.peerKey("task-3", "p-a"), new byte[] {6, 0}))))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("format 6");
    assertThatThrownBy(
            () ->
                TaskRecords.read(
                    header, List.of(Map.entry("other" + '\u0000' + "p", new byte[] {5}))))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("not of task task-3");
  }

  private static String id(int i) {
    return String.format("peer-%04d", i);
  }

  private static StoredTask bigTask(int peers) {
    Task t = new Task("big", "https://origin/big");
    for (int i = 0; i < peers; i++) {
      t.addPeer(new Peer(id(i), "big", "host-" + i, 1_000 + i));
    }
    StoredTask s = new StoredTask(t);
    for (int i = 1; i < peers; i++) s.servedTo(id(i)).fromParent(id(i - 1), 1_024);
    return s;
  }

  /** A sorted in-memory store that remembers the keys written (put or deleted). */
  static final class MapStore implements KeyValueStore<String, byte[]> {
    final NavigableMap<String, byte[]> map = new TreeMap<>();
    final List<String> writes = new ArrayList<>();

    @Override
    public void put(String key, byte[] value) {
      writes.add(key);
      if (value == null) map.remove(key);
      else map.put(key, value);
    }

    @Override
    public byte[] putIfAbsent(String key, byte[] value) {
      byte[] old = map.get(key);
      if (old == null) put(key, value);
      return old;
    }

    @Override
    public void putAll(List<KeyValue<String, byte[]>> entries) {
      entries.forEach(kv -> put(kv.key, kv.value));
    }

    @Override
    public byte[] delete(String key) {
      byte[] old = map.get(key);
      put(key, null);
      return old;
    }

    @Override
    public byte[] get(String key) {
      return map.get(key);
    }

    @Override
    public KeyValueIterator<String, byte[]> range(String from, String to) {
      NavigableMap<String, byte[]> m = map;
      if (from != null) m = m.tailMap(from, true);
      if (to != null) m = m.headMap(to, true);
      return iterator(m);
    }

    @Override
    public KeyValueIterator<String, byte[]> all() {
      return iterator(map);
    }

    private static KeyValueIterator<String, byte[]> iterator(NavigableMap<String, byte[]> m) {
      Iterator<Map.Entry<String, byte[]>> it = new ArrayList<>(m.entrySet()).iterator();
      return new KeyValueIterator<>() {
        private Map.Entry<String, byte[]> peeked;

        @Override
        public boolean hasNext() {
          return peeked != null || it.hasNext();
        }

        @Override
        public KeyValue<String, byte[]> next() {
          Map.Entry<String, byte[]> e = peeked != null ? peeked : it.next();
          peeked = null;
          return KeyValue.pair(e.getKey(), e.getValue());
        }

        @Override
        public String peekNextKey() {
          if (peeked == null) peeked = it.next();
          return peeked.getKey();
        }

        @Override
        public void close() {}
      };
    }

    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<String, byte[]> prefixScan(
        P prefix, PS prefixKeySerializer) {
      throw new UnsupportedOperationException();
    }

    @Override
    public long approximateNumEntries() {
      return map.size();
    }

    @Override
    public String name() {
      return "tasks";
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {}

    @Override
    @SuppressWarnings("deprecation")
    public void flush() {}

    @Override
    public void close() {}

    @Override
    public boolean persistent() {
      return false;
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public <R> org.apache.kafka.streams.query.QueryResult<R> query(
        org.apache.kafka.streams.query.Query<R> query,
        org.apache.kafka.streams.query.PositionBound positionBound,
        org.apache.kafka.streams.query.QueryConfig config) {
      throw new UnsupportedOperationException();
    }

    @Override
    public org.apache.kafka.streams.query.Position getPosition() {
      return org.apache.kafka.streams.query.Position.emptyPosition();
    }
  }
}
