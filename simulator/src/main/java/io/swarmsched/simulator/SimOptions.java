package io.swarmsched.simulator;

import io.swarmsched.scheduling.ParentSelector;
import java.util.Objects;

/**
 * How to run a scenario.
 *
 * @param policy a registered stage-1 policy name ({@code Evaluators.names()})
 * @param candidateLimit stage-1 candidates examined per request; {@code <= 0} scans every peer
 * @param seed seeds arrival times and churn choices (the policies seed themselves from ids)
 * @param tickSeconds transfer rates are recomputed and bytes moved in steps of this much simulated
 *     time
 * @param historyDag true keeps a finished peer's in-edges (the behaviour before issue 14), to
 *     measure the rule
 * @param checkInvariants check every step that no host or link exceeds its limit (for tests)
 * @param superSeeding sources offer only their least-sent pieces
 * @param uploadSlots most concurrent uploads per host, as the agent's piece server enforces them (a
 *     child asking a host whose slots are all busy takes the piece elsewhere); {@code <= 0} =
 *     unlimited (the model before issue 14's slot work); {@link #AGENT_UPLOAD_SLOTS} by default
 * @param replaceIdleParents the agent's {@code swarm.agent.replace.idle.parents} (on by default):
 *     every 2 s a child with all the parents it wants drops one (not a source) that holds a piece
 *     it lacks but sent it nothing for 2 s, and asks stage 1 for another at once
 *     (docs/benchmarks.md, "Swarm simulator": the laggard tail); off models the agent before it
 * @param originAssist the origin as a parent of last resort (docs/design.md, "Stage 2"): each
 *     source (the seed, a back-to-source peer) grants this many of its children the origin as an
 *     extra parent, asked only for pieces no other usable parent holds (PiecePlanner's
 *     updateOrigin); 0 = off (the model before it)
 * @param copyLostRule the dispatcher's copy-lost rule (docs/design.md, "Back to source, seeds,
 *     retries"; on, as the dispatcher ships): once the seed has left and nobody holds or reads the
 *     whole task, the next request sends its peer back to source; off models the dispatcher before
 *     it (a peer goes to the origin only after stalling)
 * @param sourceRoom stage 2's {@code PieceParams.sourceRoom}: a source sending less than this share
 *     of its upload is asked like a peer (0: sources always last)
 */
public record SimOptions(
    String policy,
    int candidateLimit,
    long seed,
    double tickSeconds,
    boolean historyDag,
    boolean checkInvariants,
    boolean superSeeding,
    int uploadSlots,
    boolean replaceIdleParents,
    int originAssist,
    boolean copyLostRule,
    double sourceRoom) {

  public static final double DEFAULT_TICK_SECONDS = 0.05;

  /**
   * The agent's default {@code swarm.agent.upload.slots}: the simulator models the agent as it
   * ships. Every 1,000-host swarm measured was faster with 8 slots than without
   * (docs/benchmarks.md, "Swarm simulator").
   */
  public static final int AGENT_UPLOAD_SLOTS = 8;

  /** Children per source granted the origin as a parent of last resort (the agent's default). */
  public static final int DEFAULT_ORIGIN_ASSIST = 8;

  public SimOptions {
    Objects.requireNonNull(policy, "policy");
    if (!(tickSeconds > 0 && tickSeconds <= 1)) {
      throw new IllegalArgumentException("tickSeconds must be in (0, 1], was " + tickSeconds);
    }
  }

  public static SimOptions of(String policy) {
    return new SimOptions(
        policy,
        ParentSelector.DEFAULT_CANDIDATE_LIMIT,
        1L,
        DEFAULT_TICK_SECONDS,
        false,
        false,
        true,
        AGENT_UPLOAD_SLOTS,
        true,
        DEFAULT_ORIGIN_ASSIST,
        true,
        io.swarmsched.scheduling.piece.PieceParams.DEFAULT_SOURCE_ROOM);
  }

  public SimOptions withPolicyOf(String p) {
    return copy(o -> o.policy = p);
  }

  public SimOptions withCandidateLimit(int limit) {
    return copy(o -> o.candidateLimit = limit);
  }

  public SimOptions withSeed(long s) {
    return copy(o -> o.seed = s);
  }

  public SimOptions withHistoryDag(boolean h) {
    return copy(o -> o.historyDag = h);
  }

  public SimOptions withChecks(boolean c) {
    return copy(o -> o.checkInvariants = c);
  }

  /**
   * Sources offer only their least-sent pieces (scheduling-core's SourceOffer, as the agent's piece
   * server).
   */
  public SimOptions withSuperSeeding(boolean on) {
    return copy(o -> o.superSeeding = on);
  }

  public SimOptions withUploadSlots(int slots) {
    return copy(o -> o.uploadSlots = slots);
  }

  public SimOptions withReplaceIdleParents(boolean on) {
    return copy(o -> o.replaceIdleParents = on);
  }

  public SimOptions withOriginAssist(int children) {
    return copy(o -> o.originAssist = Math.max(0, children));
  }

  public SimOptions withCopyLostRule(boolean on) {
    return copy(o -> o.copyLostRule = on);
  }

  /** Stage 2's {@code PieceParams.sourceRoom} (0: sources always last). */
  public SimOptions withSourceRoom(double share) {
    return copy(o -> o.sourceRoom = share);
  }

  /** The fields of a copy that one {@code with*} call changes: every field is listed once here. */
  private static final class Copy {
    String policy;
    int candidateLimit;
    long seed;
    double tickSeconds;
    boolean historyDag;
    boolean checkInvariants;
    boolean superSeeding;
    int uploadSlots;
    boolean replaceIdleParents;
    int originAssist;
    boolean copyLostRule;
    double sourceRoom;
  }

  private SimOptions copy(java.util.function.Consumer<Copy> change) {
    Copy c = new Copy();
    c.policy = policy;
    c.candidateLimit = candidateLimit;
    c.seed = seed;
    c.tickSeconds = tickSeconds;
    c.historyDag = historyDag;
    c.checkInvariants = checkInvariants;
    c.superSeeding = superSeeding;
    c.uploadSlots = uploadSlots;
    c.replaceIdleParents = replaceIdleParents;
    c.originAssist = originAssist;
    c.copyLostRule = copyLostRule;
    c.sourceRoom = sourceRoom;
    change.accept(c);
    return new SimOptions(
        c.policy,
        c.candidateLimit,
        c.seed,
        c.tickSeconds,
        c.historyDag,
        c.checkInvariants,
        c.superSeeding,
        c.uploadSlots,
        c.replaceIdleParents,
        c.originAssist,
        c.copyLostRule,
        c.sourceRoom);
  }
}
