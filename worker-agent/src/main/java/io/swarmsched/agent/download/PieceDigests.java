package io.swarmsched.agent.download;

import io.swarmsched.schemas.TaskMetadata;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The piece digests a child verifies against, from the newest task metadata. A back-to-source peer
 * publishes them as its pieces arrive, so some may still be missing: a piece without a digest
 * cannot be verified, so parents' copies of it are not offered to stage 2 yet.
 */
final class PieceDigests {
  private final Supplier<Optional<TaskMetadata>> newest;
  private volatile TaskMetadata latest;
  private volatile BitSet known;

  PieceDigests(TaskMetadata first, Supplier<Optional<TaskMetadata>> newest) {
    this.newest = newest;
    set(first);
  }

  private void set(TaskMetadata m) {
    BitSet k = new BitSet();
    List<String> ds = m.getPieceDigests();
    for (int i = 0; i < ds.size(); i++) {
      if (ds.get(i) != null && !ds.get(i).isEmpty()) {
        k.set(i);
      }
    }
    known = k;
    latest = m;
  }

  /** Reads the newest metadata; true when it brought digests not known before. */
  synchronized boolean refresh() {
    Optional<TaskMetadata> n = newest.get();
    if (n.isEmpty() || n.get() == latest) {
      return false;
    }
    int before = known.cardinality();
    set(n.get());
    return known.cardinality() > before;
  }

  /** The piece's digest, or null while the source peer has not published it. */
  String digest(int piece) {
    TaskMetadata m = latest;
    if (piece >= m.getPieceDigests().size()) {
      return null;
    }
    String d = m.getPieceDigests().get(piece);
    return d == null || d.isEmpty() ? null : d;
  }

  /** The pieces whose digest is known. */
  BitSet known() {
    return (BitSet) known.clone();
  }
}
