package io.swarmsched.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.scheduling.evaluator.LoadAwareEvaluator;
import io.swarmsched.scheduling.evaluator.RandomEvaluator;
import io.swarmsched.scheduling.evaluator.ScoreBreakdown;
import io.swarmsched.scheduling.filter.CandidateFilters;
import io.swarmsched.scheduling.resource.HostCapacity;
import io.swarmsched.scheduling.resource.HostLoad;
import io.swarmsched.scheduling.resource.HostType;
import io.swarmsched.scheduling.resource.HostView;
import io.swarmsched.scheduling.resource.Liveness;
import io.swarmsched.scheduling.resource.PeerState;
import io.swarmsched.scheduling.resource.ScoreView;
import io.swarmsched.scoring.LoadQuality;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

class SelectionPropertiesTest {

  private static final String[] IDCS = {"", "a", "b"};
  private static final String[] LOCATIONS = {"", "cn", "cn|zj", "cn|zj|hz", "cn|js|nj", "us|ca"};

  /** A random task (hosts, scores, states, DAG edges, ledger) built from one seed. */
  static Fixture randomCluster(long seed, int peers) {
    Random r = new Random(seed);
    Fixture f = new Fixture();
    f.host("h-req", HostType.NORMAL, IDCS[r.nextInt(3)], LOCATIONS[r.nextInt(LOCATIONS.length)]);
    f.peer("req", "h-req", PeerState.RUNNING);
    for (int i = 0; i < peers; i++) {
      String h = "h" + r.nextInt(Math.max(1, peers));
      if (!f.hosts.containsKey(h)) {
        HostView v =
            HostView.online(
                h,
                r.nextInt(5) == 0 ? HostType.SUPER_SEED : HostType.NORMAL,
                IDCS[r.nextInt(3)],
                LOCATIONS[r.nextInt(LOCATIONS.length)],
                HostCapacity.uploads(r.nextInt(4) * 32L * Fixture.MIB, r.nextInt(6)),
                new HostLoad(r.nextInt(64) * Fixture.MIB, r.nextInt(6), 0));
        if (r.nextInt(8) == 0) {
          v = v.withLiveness(Liveness.SUSPICIOUS);
        }
        f.put(v);
        if (r.nextBoolean()) {
          double p = r.nextInt(5) / 4.0;
          double d = r.nextInt(5) / 4.0;
          double c = r.nextInt(5) / 4.0;
          f.scores.put(
              h,
              new ScoreView(
                  h,
                  f.calculator.fromParts(p, d, c, r.nextInt(64) * Fixture.MIB, r.nextInt(60)),
                  64 * Fixture.MIB,
                  r.nextInt(4),
                  r.nextInt(1000)));
        }
      }
      PeerState[] states = PeerState.values();
      String id = "p" + String.format("%03d", i);
      f.peer(id, h, states[r.nextInt(states.length)]);
      if (r.nextInt(3) == 0) {
        f.task.peer(id).orElseThrow().recordPiece(r.nextInt(100), 1);
        f.task.peer(id).orElseThrow().recordPiece(r.nextInt(3000), 2);
      }
    }
    List<String> ids = new ArrayList<>(f.task.dag().vertices());
    for (int e = 0; e < peers; e++) {
      String a = ids.get(r.nextInt(ids.size()));
      String b = ids.get(r.nextInt(ids.size()));
      if (f.task.dag().canAddEdge(a, b)) {
        f.edge(a, b);
      }
    }
    for (int k = 0; k < peers / 3; k++) {
      f.ledger.recordAllocation("h" + r.nextInt(Math.max(1, peers)), r.nextInt(2000));
    }
    return f;
  }

  @Property(tries = 200)
  void topNIsAlwaysTheNBestByScore(
      @ForAll @LongRange(min = 0, max = 1_000_000) long seed,
      @ForAll @IntRange(min = 0, max = 40) int peers,
      @ForAll @IntRange(min = 1, max = 8) int topN) {
    Fixture f = randomCluster(seed, peers);
    ParentSelector selector =
        new ParentSelector(CandidateFilters.standard(), new LoadAwareEvaluator(), topN);
    Selection s = selector.select(f.request("r", "req", Set.of(), 1_000));

    // Brute force: score every peer that was not dropped, sort everything, take N.
    Set<String> dropped = new java.util.HashSet<>();
    s.drops().forEach(d -> dropped.add(d.peerId()));
    SelectionContext ctx = f.context("req", Set.of());
    List<Candidate> survivors = new ArrayList<>();
    for (var p : f.task.peers()) {
      if (!p.peerId().equals("req") && !dropped.contains(p.peerId())) {
        survivors.add(f.candidate(p.peerId()));
      }
    }
    record Scored(String id, double total) {}
    List<Scored> all = new ArrayList<>();
    for (Candidate c : survivors) {
      ScoreBreakdown b = selector.evaluator().score(ctx, c);
      all.add(new Scored(c.peerId(), b.totalScore()));
    }
    all.sort(Comparator.comparingDouble(Scored::total).reversed().thenComparing(Scored::id));
    List<String> expected = all.stream().limit(topN).map(Scored::id).toList();

    assertThat(s.parentPeerIds()).isEqualTo(expected);
    assertThat(s.parents().size() + s.drops().size()).isLessThanOrEqualTo(s.candidates());
    assertThat(survivors.size() + s.drops().size()).isEqualTo(s.candidates());
    for (int i = 1; i < s.parents().size(); i++) {
      assertThat(s.parents().get(i - 1).breakdown().totalScore())
          .isGreaterThanOrEqualTo(s.parents().get(i).breakdown().totalScore());
    }
    int reqPieces = f.task.peer("req").orElseThrow().piecesFinished();
    for (RankedParent p : s.parents()) {
      ScoreBreakdown b = p.breakdown();
      assertThat(b.totalScore()).isBetween(0.0, 1.0 + 1e-9);
      if (!f.task.dag().canAddEdge(p.peerId(), "req")
          && !f.task.dag().parents("req").contains(p.peerId())) {
        // downstream of the requester: only the default cycle rule (more-pieces) lets it through
        assertThat(f.task.peer(p.peerId()).orElseThrow().piecesFinished()).isGreaterThan(reqPieces);
      }
    }
    // committing makes every chosen parent an in-edge and leaves the DAG acyclic
    ParentSelector.commit(f.task, s, f.ledger, 1_000);
    assertThat(f.task.dag().parents("req")).containsExactlyInAnyOrderElementsOf(s.parentPeerIds());
    assertThat(f.task.dag().isAcyclic()).isTrue();
  }

  /**
   * The cycle filter checked last and lazily ({@link ParentSelector#checkingLast}, as the simulator
   * runs stage 1) chooses exactly the eager selector's parents, under every cycle rule and policy,
   * for full scans and samples (up to 120 peers; the sample takes 40); its drops are the eager ones
   * minus some of the cycle filter's (candidates ranked below the chosen ones).
   */
  @Property(tries = 300)
  void theCycleFilterCheckedLastChoosesTheSameParents(
      @ForAll @LongRange(min = 0, max = 1_000_000) long seed,
      @ForAll @IntRange(min = 0, max = 120) int peers,
      @ForAll @IntRange(min = 1, max = 8) int topN,
      @ForAll io.swarmsched.scheduling.filter.CycleRule rule,
      @ForAll boolean random) {
    Fixture f = randomCluster(seed, peers);
    // more edges, so that many candidates download from the requester: a chain from it
    List<String> ids = new ArrayList<>(f.task.dag().vertices());
    java.util.Collections.shuffle(ids, new Random(seed));
    String from = "req";
    for (String id : ids.subList(0, ids.size() / 2)) {
      if (f.task.dag().canAddEdge(from, id)) {
        f.edge(from, id);
        from = id;
      }
    }
    ParentSelector eager =
        new ParentSelector(
            CandidateFilters.standard(
                new io.swarmsched.scheduling.filter.FilterParams(
                    io.swarmsched.scheduling.filter.FilterParams.DEFAULT_UPLOAD_SLOT_LIMIT,
                    io.swarmsched.scheduling.stats.BadParentRule.DEFAULT,
                    rule)),
            random ? new RandomEvaluator() : new LoadAwareEvaluator(),
            topN);
    ParentSelector lazy = eager.checkingLast(io.swarmsched.scheduling.filter.CycleFilter.class);

    Selection a = eager.select(f.request("r-" + seed, "req", Set.of(), 1_000));
    Selection b = lazy.select(f.request("r-" + seed, "req", Set.of(), 1_000));

    assertThat(b.parents()).isEqualTo(a.parents());
    assertThat(b.candidates()).isEqualTo(a.candidates());
    assertThat(a.drops()).containsAll(b.drops());
    assertThat(a.drops().stream().filter(d -> !b.drops().contains(d)))
        .allSatisfy(
            d ->
                assertThat(d.filter()).isEqualTo(io.swarmsched.scheduling.filter.CycleFilter.NAME));
    assertThat(b.drops()).isSortedAccordingTo(Comparator.comparing(d -> d.peerId()));
  }

  @Property(tries = 100)
  void sameInputsGiveTheSameSelection(
      @ForAll @LongRange(min = 0, max = 1_000_000) long seed,
      @ForAll @IntRange(min = 0, max = 30) int peers) {
    for (ParentSelector selector :
        List.of(
            ParentSelector.defaults(),
            new ParentSelector(CandidateFilters.standard(), new RandomEvaluator(), 4))) {
      Selection a =
          selector.select(randomCluster(seed, peers).request("r-" + seed, "req", Set.of(), 1_000));
      Selection b =
          selector.select(randomCluster(seed, peers).request("r-" + seed, "req", Set.of(), 1_000));
      assertThat(a).isEqualTo(b);
    }
  }

  @Property(tries = 50)
  void randomEvaluatorWithAnotherSeedMayReorderButKeepsTheSameSurvivors(
      @ForAll @LongRange(min = 0, max = 1_000_000) long seed) {
    ParentSelector selector =
        new ParentSelector(CandidateFilters.standard(), new RandomEvaluator(), 100);
    Selection a = selector.select(randomCluster(seed, 25).request("r-a", "req", Set.of(), 1_000));
    Selection b = selector.select(randomCluster(seed, 25).request("r-b", "req", Set.of(), 1_000));
    assertThat(a.parentPeerIds()).containsExactlyInAnyOrderElementsOf(b.parentPeerIds());
    assertThat(a.drops()).isEqualTo(b.drops());
  }

  @Property(tries = 50)
  void loadQualityNeverLeavesTheUnitInterval(
      @ForAll @LongRange(min = 0, max = 1_000_000) long seed) {
    Fixture f = randomCluster(seed, 20);
    for (HostView h : f.hosts.values()) {
      LoadQuality q =
          f.ledger
              .estimate(h, java.util.Optional.ofNullable(f.scores.get(h.hostId())))
              .loadQuality();
      assertThat(q.loadQuality()).isBetween(0.0, 1.0);
      assertThat(q.peakBandwidthUsage()).isBetween(0.0, 1.0);
      assertThat(q.concurrentEfficiency()).isBetween(0.0, 1.0);
    }
  }
}
