package io.swarmsched.scheduling.resource;

import io.swarmsched.scheduling.dag.Dag;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One piece of content and its peers. The DAG's vertices are peer ids; an edge {@code parent →
 * child} means the child downloads from the parent. Peers are kept sorted by id so iteration order
 * — and thus every decision — does not depend on arrival order. Not thread-safe.
 */
public final class Task {

  private final String taskId;
  private final Map<String, Peer> peers = new TreeMap<>();

  /** The same peers in the same (id) order, indexable: stage 1 samples candidates by position. */
  private final List<Peer> byIndex = new ArrayList<>();

  private final Dag<String> dag = new Dag<>();
  private String url;
  private long contentLength;
  private long pieceLength;
  private int pieceCount;

  /**
   * The peer last found holding or reading the whole task (PeerRules.hasCompleteCopy), checked
   * first so that the answer costs O(1) while it stays one; not part of the task's state (a hint,
   * never stored or compared: a task read back simply starts without it).
   */
  private String copyHint;

  public Task(String taskId, String url) {
    this.taskId = Objects.requireNonNull(taskId, "taskId");
    this.url = url == null ? "" : url;
    this.contentLength = -1;
  }

  public String taskId() {
    return taskId;
  }

  public String url() {
    return url;
  }

  public void setUrl(String url) {
    this.url = url == null ? "" : url;
  }

  /** -1 while unknown. */
  public long contentLength() {
    return contentLength;
  }

  public long pieceLength() {
    return pieceLength;
  }

  /** 0 while unknown. */
  public int pieceCount() {
    return pieceCount;
  }

  public void setMetadata(long contentLength, long pieceLength, int pieceCount) {
    this.contentLength = contentLength;
    this.pieceLength = pieceLength;
    this.pieceCount = pieceCount;
  }

  /** See {@link #copyHint}: null for none. */
  public String copyHint() {
    return copyHint;
  }

  public void copyHint(String peerId) {
    this.copyHint = peerId;
  }

  public Dag<String> dag() {
    return dag;
  }

  /** Adds a peer (and its DAG vertex); returns the existing one when the id is known already. */
  public Peer addPeer(Peer peer) {
    if (!peer.taskId().equals(taskId)) {
      throw new IllegalArgumentException(
          "peer " + peer.peerId() + " belongs to task " + peer.taskId() + ", not " + taskId);
    }
    Peer existing = peers.putIfAbsent(peer.peerId(), peer);
    if (existing != null) {
      return existing;
    }
    byIndex.add(-indexOf(peer.peerId()) - 1, peer);
    dag.addVertex(peer.peerId());
    return peer;
  }

  /**
   * Puts {@code peer} in place of the known peer with the same id, keeping its DAG edges (for
   * callers that mirror peers kept elsewhere); adds it when the id is new.
   */
  public void replacePeer(Peer peer) {
    if (!peer.taskId().equals(taskId)) {
      throw new IllegalArgumentException(
          "peer " + peer.peerId() + " belongs to task " + peer.taskId() + ", not " + taskId);
    }
    int i = indexOf(peer.peerId());
    if (peers.put(peer.peerId(), peer) == null) {
      byIndex.add(-i - 1, peer);
      dag.addVertex(peer.peerId());
    } else {
      byIndex.set(i, peer);
    }
  }

  /** Position of a peer id in {@link #peerList()}, or {@code -(insertion point) - 1}. */
  private int indexOf(String peerId) {
    int lo = 0;
    int hi = byIndex.size() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int cmp = byIndex.get(mid).peerId().compareTo(peerId);
      if (cmp < 0) {
        lo = mid + 1;
      } else if (cmp > 0) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return -(lo + 1);
  }

  public Optional<Peer> peer(String peerId) {
    return Optional.ofNullable(peers.get(peerId));
  }

  /**
   * Removes a peer and every edge touching it; returns the ids of its former children (to
   * reschedule).
   */
  public List<String> removePeer(String peerId) {
    if (peers.remove(peerId) == null) {
      return List.of();
    }
    byIndex.remove(indexOf(peerId));
    List<String> children = new ArrayList<>(dag.children(peerId));
    dag.removeVertex(peerId);
    Collections.sort(children);
    return children;
  }

  /** All peers, sorted by id. */
  public Collection<Peer> peers() {
    return Collections.unmodifiableCollection(peers.values());
  }

  /**
   * All peers sorted by id, with constant-time access by position (so a sample of k peers costs
   * O(k) however large the task). The position of a peer depends only on the set of ids, not on the
   * order they came in.
   */
  public List<Peer> peerList() {
    return Collections.unmodifiableList(byIndex);
  }

  public int peerCount() {
    return peers.size();
  }

  /** Peers currently downloading from the origin (bounded per task by the retry policy). */
  public int backToSourceCount() {
    int n = 0;
    for (Peer p : peers.values()) {
      if (p.state() == PeerState.BACK_TO_SOURCE) {
        n++;
      }
    }
    return n;
  }

  /**
   * True when some peer has something to give: back-to-source, finished, or running with pieces.
   */
  public boolean hasAvailablePeer() {
    for (Peer p : peers.values()) {
      if (p.state() == PeerState.BACK_TO_SOURCE
          || p.state() == PeerState.SUCCEEDED
          || (p.state() == PeerState.RUNNING && p.piecesFinished() > 0)) {
        return true;
      }
    }
    return false;
  }

  /**
   * DAG rule (docs/design.md, Stage 1): a finished peer needs no parents, so its in-edges go. It
   * stops being a descendant of its former parents and anyone may take it as a parent; kept as
   * edges, the history would make the seed's first child everyone's ancestor, and cycle prevention
   * would leave that child only the seed. Call it when a peer reaches SUCCEEDED. Returns the former
   * parents (empty when it had none or is unknown).
   */
  public List<String> onSucceeded(String peerId) {
    return dag.deleteInEdges(peerId);
  }

  /** Peers running on a host, sorted by id. */
  public List<Peer> peersOnHost(String hostId) {
    List<Peer> out = new ArrayList<>();
    for (Peer p : peers.values()) {
      if (p.hostId().equals(hostId)) {
        out.add(p);
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return "Task{" + taskId + " peers=" + peers.size() + " edges=" + dag.edgeCount() + "}";
  }
}
