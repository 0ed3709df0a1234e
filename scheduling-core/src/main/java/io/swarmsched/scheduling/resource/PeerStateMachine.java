package io.swarmsched.scheduling.resource;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The peer state machine. Legal edges:
 *
 * <pre>
 * PENDING        → RUNNING, BACK_TO_SOURCE, FAILED, LEFT
 * RUNNING        → BACK_TO_SOURCE, SUCCEEDED, FAILED, LEFT
 * BACK_TO_SOURCE → SUCCEEDED, FAILED, LEFT
 * SUCCEEDED      → LEFT
 * FAILED         → LEFT
 * LEFT           → (none)
 * </pre>
 *
 * A transition to the current state is {@link TransitionResult.Unchanged}. Anything else is
 * rejected and counted per {@code FROM->TO} pair, so the dispatcher can export the counts as
 * metrics. Thread-safe.
 */
public final class PeerStateMachine {

  private static final Map<PeerState, Set<PeerState>> LEGAL = new EnumMap<>(PeerState.class);

  static {
    LEGAL.put(
        PeerState.PENDING,
        EnumSet.of(PeerState.RUNNING, PeerState.BACK_TO_SOURCE, PeerState.FAILED, PeerState.LEFT));
    LEGAL.put(
        PeerState.RUNNING,
        EnumSet.of(
            PeerState.BACK_TO_SOURCE, PeerState.SUCCEEDED, PeerState.FAILED, PeerState.LEFT));
    LEGAL.put(
        PeerState.BACK_TO_SOURCE,
        EnumSet.of(PeerState.SUCCEEDED, PeerState.FAILED, PeerState.LEFT));
    LEGAL.put(PeerState.SUCCEEDED, EnumSet.of(PeerState.LEFT));
    LEGAL.put(PeerState.FAILED, EnumSet.of(PeerState.LEFT));
    LEGAL.put(PeerState.LEFT, EnumSet.noneOf(PeerState.class));
  }

  private final LongAdder applied = new LongAdder();
  private final LongAdder illegal = new LongAdder();
  private final Map<String, LongAdder> illegalByPair = new ConcurrentHashMap<>();

  public static boolean isLegal(PeerState from, PeerState to) {
    return LEGAL.get(from).contains(to);
  }

  /** Moves {@code peer} to {@code to} at {@code atMillis} if the machine allows it. */
  public TransitionResult transition(Peer peer, PeerState to, long atMillis) {
    PeerState from = peer.state();
    if (from == to) {
      return new TransitionResult.Unchanged(peer.peerId(), from);
    }
    if (!isLegal(from, to)) {
      illegal.increment();
      illegalByPair.computeIfAbsent(from + "->" + to, k -> new LongAdder()).increment();
      return new TransitionResult.IllegalTransition(peer.peerId(), from, to);
    }
    peer.setState(to, atMillis);
    applied.increment();
    return new TransitionResult.Applied(peer.peerId(), from, to);
  }

  public long appliedCount() {
    return applied.sum();
  }

  public long illegalCount() {
    return illegal.sum();
  }

  /** Illegal transitions seen so far, by {@code "FROM->TO"}, sorted. */
  public Map<String, Long> illegalByTransition() {
    Map<String, Long> out = new TreeMap<>();
    illegalByPair.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}
