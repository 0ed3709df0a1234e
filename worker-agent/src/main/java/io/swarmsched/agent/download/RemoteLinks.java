package io.swarmsched.agent.download;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * Whether this child reaches its parents in other IDCs over a slow link, judged from its own recent
 * fetches. Stage 2 holds back parents in another IDC ({@link
 * io.swarmsched.scheduling.piece.PiecePlanner}: asked only for pieces no local parent holds, one
 * such fetch in flight) because a link between IDCs is shared by every transfer that crosses it;
 * where that link is as fast as the parents' own uploads (the demo's two IDCs on one machine), the
 * rule only leaves upload capacity idle: in the demo's tail the parents of one IDC stood idle while
 * the other IDC's last children fetched from each other alone (docs/benchmarks.md, "Distribution on
 * a real swarm", the per-second timeline).
 *
 * <p>Each piece's rate is taken relative to its parent's upload limit ({@code maxTx}), so parents
 * of different speeds compare. The link counts as slow until at least {@link #MIN_SAMPLES} of the
 * last {@link #WINDOW} remote fetches are known and their median reaches half the median of the
 * local fetches; with too few local fetches (a child whose own IDC holds nothing yet), one upload
 * slot's share of the parent's limit ({@code 1/slots}) stands in for them. When remote fetches slow
 * down to a quarter of that reference, the link counts as slow once more.
 */
final class RemoteLinks {
  /** Fetches remembered per kind (local, remote). */
  static final int WINDOW = 8;

  /** Remote (and local) fetches needed before they are compared. */
  static final int MIN_SAMPLES = 3;

  /** Upload slots of a parent assumed for the fallback reference (the agent's default). */
  static final int DEFAULT_SLOTS = 8;

  private final int slots;
  private final Deque<Double> local = new ArrayDeque<>();
  private final Deque<Double> remote = new ArrayDeque<>();
  private boolean slow = true;

  RemoteLinks(int slots) {
    if (slots < 1) {
      throw new IllegalArgumentException("slots must be >= 1, was " + slots);
    }
    this.slots = slots;
  }

  /**
   * A piece of {@code bytes} arrived in {@code nanos} from a parent with upload limit {@code maxTx}
   * (bytes/s; a parent without a limit gives no reference and is not counted).
   */
  synchronized void record(boolean fromRemote, long bytes, long nanos, long maxTx) {
    if (maxTx <= 0 || bytes <= 0) {
      return;
    }
    double rate = bytes * 1e9 / Math.max(nanos, 1);
    Deque<Double> q = fromRemote ? remote : local;
    q.addLast(rate / maxTx);
    if (q.size() > WINDOW) {
      q.removeFirst();
    }
  }

  /**
   * True until the recent remote fetches show the link keeps up with local ones; once it does, true
   * again only when they fall below a quarter of the reference. The gap keeps the judgement from
   * flapping with every noisy sample (on a busy machine every transfer's rate wanders; one demo run
   * at load 80 flipped a child's judgement five times in 20 s with a single threshold).
   */
  synchronized boolean slow() {
    if (remote.size() < MIN_SAMPLES) {
      slow = true;
      return true;
    }
    double reference = local.size() >= MIN_SAMPLES ? median(local) : 1.0 / slots;
    slow = median(remote) < reference / (slow ? 2 : 4);
    return slow;
  }

  private static double median(Deque<Double> q) {
    double[] v = q.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }
}
