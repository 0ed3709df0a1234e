package io.swarmsched.swarm;

import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.PeerEvent;
import io.swarmsched.schemas.PeerEventType;
import io.swarmsched.schemas.PieceEvent;
import io.swarmsched.schemas.PieceOutcome;
import io.swarmsched.schemas.PieceSource;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.schemas.ScheduleRequest;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Where a demo's time went, as milestones relative to the moment the downloads were started: each
 * read back from the topics by its record timestamp (the producer's clock; here every producer is
 * in the demo's JVM, so one clock). It answers "what do the first seconds wait on" without a
 * profiler: the first request, the seed's trigger and its own decision, the seed's first and last
 * origin piece, each child's first parents and first peer piece, each child's end.
 *
 * <p>Fed record by record ({@link #request}, {@link #decision}, {@link #piece}, {@link #peer}); the
 * caller filters by task. Times before the start (the cluster and the agents starting) are given as
 * durations by the caller ({@link #before}).
 */
final class DemoTimeline {
  private final long startMillis;
  private final String seedHostId;
  private final Set<String> children;
  private final Map<String, Long> before = new java.util.LinkedHashMap<>();
  private long firstRequest = Long.MAX_VALUE;
  private long seedTrigger = Long.MAX_VALUE;
  private long seedRequest = Long.MAX_VALUE;
  private long seedDecision = Long.MAX_VALUE;
  private long seedFirstOriginPiece = Long.MAX_VALUE;
  private long seedLastOriginPiece = Long.MIN_VALUE;
  private long seedOriginBytes;
  private final Map<String, Long> firstParents = new TreeMap<>();
  private final Map<String, Long> firstPeerPiece = new TreeMap<>();
  private final Map<String, Long> done = new TreeMap<>();

  DemoTimeline(long startMillis, String seedHostId, Set<String> children) {
    this.startMillis = startMillis;
    this.seedHostId = seedHostId;
    this.children = Set.copyOf(children);
  }

  /** A step before the downloads started, with how long it took. */
  void before(String what, long millis) {
    before.put(what, millis);
  }

  void request(long at, ScheduleRequest r) {
    firstRequest = Math.min(firstRequest, at);
    if (seedHostId.equals(r.getHostId())) {
      seedRequest = Math.min(seedRequest, at);
    }
  }

  void decision(long at, ScheduleDecision d) {
    String host = d.getTargetHostId();
    if (d.getOutcome() == DecisionOutcome.SEED_TRIGGER) {
      seedTrigger = Math.min(seedTrigger, at);
    } else if (seedHostId.equals(host)) {
      seedDecision = Math.min(seedDecision, at);
    } else if (d.getOutcome() == DecisionOutcome.PARENTS && host != null) {
      firstParents.merge(host, at, Math::min);
    }
  }

  void piece(long at, PieceEvent e) {
    if (e.getOutcome() != PieceOutcome.FINISHED) {
      return;
    }
    if (e.getSource() == PieceSource.ORIGIN && seedHostId.equals(e.getHostId())) {
      seedFirstOriginPiece = Math.min(seedFirstOriginPiece, at);
      seedLastOriginPiece = Math.max(seedLastOriginPiece, at);
      seedOriginBytes += e.getBytes();
    } else if (e.getSource() == PieceSource.PARENT) {
      firstPeerPiece.merge(e.getHostId(), at, Math::min);
    }
  }

  void peer(long at, PeerEvent e) {
    if (e.getType() == PeerEventType.SUCCEEDED && children.contains(e.getHostId())) {
      done.merge(e.getHostId(), at, Math::min);
    }
  }

  /** Seconds from the start to {@code at}, or null when it never happened. */
  private Double since(long at) {
    return at == Long.MAX_VALUE || at == Long.MIN_VALUE ? null : (at - startMillis) / 1000.0;
  }

  /** The milestones in order, as printable lines. */
  List<String> lines() {
    List<String> out = new ArrayList<>();
    before.forEach(
        (what, ms) -> out.add(String.format(Locale.ROOT, "%-34s %6.1f s", what, ms / 1000.0)));
    add(out, "first schedule request", since(firstRequest));
    add(out, "seed triggered (SEED_TRIGGER)", since(seedTrigger));
    add(out, "seed's own request", since(seedRequest));
    add(out, "seed's decision", since(seedDecision));
    add(out, "seed's first origin piece", since(seedFirstOriginPiece));
    Double last = since(seedLastOriginPiece);
    Double first = since(seedFirstOriginPiece);
    if (last != null && first != null) {
      double span = Math.max(1e-3, last - first);
      out.add(
          String.format(
              Locale.ROOT,
              "%-34s %6.1f s (%.1f MiB/s from its first piece)",
              "seed's last origin piece",
              last,
              seedOriginBytes / (1024.0 * 1024.0) / span));
    }
    range(out, "children's first parents", firstParents);
    range(out, "children's first peer piece", firstPeerPiece);
    range(out, "children done", done);
    return out;
  }

  private static void add(List<String> out, String what, Double at) {
    out.add(
        at == null
            ? String.format(Locale.ROOT, "%-34s      -", what)
            : String.format(Locale.ROOT, "%-34s %6.1f s", what, at));
  }

  /** First and last of a per-child milestone, and how many children reached it. */
  private void range(List<String> out, String what, Map<String, Long> byChild) {
    if (byChild.isEmpty()) {
      add(out, what, null);
      return;
    }
    long lo = byChild.values().stream().mapToLong(Long::longValue).min().orElseThrow();
    long hi = byChild.values().stream().mapToLong(Long::longValue).max().orElseThrow();
    out.add(
        String.format(
            Locale.ROOT,
            "%-34s %6.1f s .. %.1f s (%d of %d)",
            what,
            since(lo),
            since(hi),
            byChild.size(),
            children.size()));
  }

  void print(PrintStream out) {
    out.println("timeline (seconds from the start of the downloads; from the topics)");
    for (String line : lines()) {
      out.println("  " + line);
    }
  }
}
