package io.swarmsched.dispatcher.state;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.swarmsched.scheduling.resource.PeerState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything the dispatcher keeps about one task, in the task store (RocksDB, keyed by task id):
 * its peers with their states, the DAG (each peer's parents), piece-cost samples, seeds that failed
 * it, the seed triggered for it, and the requests waiting for a retry.
 */
public final class TaskState {
  public String taskId;
  public String url = "";
  public String digest;

  /** Sorted so that iteration (and therefore every decision) is deterministic. */
  public Map<String, PeerRecord> peers = new TreeMap<>();

  /** Seed host id -> stream time at which it failed this task. */
  public Map<String, Long> failedSeeds = new TreeMap<>();

  public String seedHostId;
  public long seedTriggeredAt;

  /** Request id -> key of its entry in the retry store. */
  public Map<String, String> pending = new TreeMap<>();

  /**
   * Core's view of this task, kept between requests while this object stays in the store's cache
   * (never stored).
   */
  @JsonIgnore public transient CoreTaskMirror coreMirror;

  public TaskState() {}

  public TaskState(String taskId) {
    this.taskId = taskId;
  }

  @JsonIgnore
  public int backToSourceCount() {
    int n = 0;
    for (PeerRecord p : peers.values()) {
      if (p.status == PeerState.BACK_TO_SOURCE) n++;
    }
    return n;
  }

  /** Peers that name {@code parentPeerId} among their parents. */
  @JsonIgnore
  public List<PeerRecord> childrenOf(String parentPeerId) {
    List<PeerRecord> out = new ArrayList<>();
    for (PeerRecord p : peers.values()) {
      if (p.parents.contains(parentPeerId)) out.add(p);
    }
    return out;
  }

  @JsonIgnore
  public boolean isEmpty() {
    return peers.isEmpty() && pending.isEmpty();
  }
}
