package io.swarmsched.scheduling.filter;

import io.swarmsched.scheduling.Candidate;
import io.swarmsched.scheduling.SelectionContext;
import io.swarmsched.scheduling.resource.HostView;
import io.swarmsched.scheduling.resource.Peer;
import io.swarmsched.scheduling.resource.PeerState;
import java.util.Locale;

/**
 * When rule 5 lets a requester take a candidate that already downloads (directly or not) from it.
 * The edge candidate → requester would close a cycle; when the rule lets it through, committing it
 * first drops the requester's out-edges that lead to the candidate (the children on those paths
 * keep fetching from the requester in stage 2 while it holds something they lack; the DAG only
 * stops recording it), so the DAG stays acyclic. Two peers trading pieces both ways is what a mesh
 * does; what the cycle rule must prevent is a parent that can only give back what it got from the
 * requester.
 */
public enum CycleRule {
  /** Every candidate that downloads from the requester is refused (docs/design.md before). */
  STRICT,
  /**
   * Also allowed when every parent of the requester is a source (a seed or a back-to-source peer)
   * or it has none: whatever its descendants hold, they did not get it only from the requester.
   */
  SOURCE_FED,
  /**
   * Also allowed when the candidate has finished more pieces than the requester: it then holds at
   * least that many pieces the requester lacks, whatever it got from it.
   */
  MORE_PIECES,
  /** {@link #SOURCE_FED} or {@link #MORE_PIECES}. */
  SOURCE_FED_OR_MORE_PIECES,
  /** Never refused: every cycle is broken at commit. For comparison. */
  OFF;

  /**
   * True when {@code c}, which downloads from the requester, may be taken as its parent all the
   * same.
   */
  public boolean allows(SelectionContext ctx, Candidate c) {
    return switch (this) {
      case STRICT -> false;
      case SOURCE_FED -> sourceFed(ctx);
      case MORE_PIECES -> morePieces(ctx, c);
      case SOURCE_FED_OR_MORE_PIECES -> morePieces(ctx, c) || sourceFed(ctx);
      case OFF -> true;
    };
  }

  /**
   * True when the rule lets {@code c} through whether or not it downloads from the requester, by
   * the cheap test alone (the candidate's piece count); false says nothing. Lets the cycle filter
   * skip the DAG walk for such candidates.
   */
  public boolean allowsWithoutTheDag(SelectionContext ctx, Candidate c) {
    return switch (this) {
      case MORE_PIECES, SOURCE_FED_OR_MORE_PIECES -> morePieces(ctx, c);
      case OFF -> true;
      case STRICT, SOURCE_FED -> false;
    };
  }

  private static boolean morePieces(SelectionContext ctx, Candidate c) {
    return c.peer().piecesFinished() > ctx.requester().piecesFinished();
  }

  private static boolean sourceFed(SelectionContext ctx) {
    for (String parent : ctx.task().dag().parents(ctx.requester().peerId())) {
      Peer p = ctx.task().peer(parent).orElse(null);
      if (p == null) {
        continue;
      }
      boolean source =
          p.state() == PeerState.BACK_TO_SOURCE
              || ctx.hosts().host(p.hostId()).map(HostView::isSeed).orElse(false);
      if (!source) {
        return false;
      }
    }
    return true;
  }

  /** The configuration value: the name in lower case with dashes ({@code more-pieces}). */
  public String configName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * @throws IllegalArgumentException naming the accepted values
   */
  public static CycleRule byName(String name) {
    for (CycleRule r : values()) {
      if (r.configName().equalsIgnoreCase(name.trim()) || r.name().equalsIgnoreCase(name.trim())) {
        return r;
      }
    }
    throw new IllegalArgumentException(
        "unknown cycle rule '"
            + name
            + "', expected one of "
            + java.util.Arrays.stream(values()).map(CycleRule::configName).toList());
  }
}
