package io.swarmsched.scheduling.filter;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.scheduling.Fixture;
import io.swarmsched.scheduling.SelectionContext;
import io.swarmsched.scheduling.resource.HostCapacity;
import io.swarmsched.scheduling.resource.HostLoad;
import io.swarmsched.scheduling.resource.HostType;
import io.swarmsched.scheduling.resource.HostView;
import io.swarmsched.scheduling.resource.Liveness;
import io.swarmsched.scheduling.resource.PeerState;
import io.swarmsched.scheduling.stats.BadParentRule;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CandidateFiltersTest {

  private Fixture f;

  @BeforeEach
  void setUp() {
    f = new Fixture();
    f.host("h-req");
    f.peer("req", "h-req", PeerState.RUNNING);
  }

  private Optional<DropReason> reason(
      CandidateFilter filter, String candidate, Set<String> blocklist) {
    SelectionContext ctx = f.context("req", blocklist);
    return filter
        .check(ctx, f.candidate(candidate))
        .map(
            d -> {
              assertThat(d.filter()).isEqualTo(filter.name());
              assertThat(d.peerId()).isEqualTo(candidate);
              assertThat(d.reason().rule()).isBetween(1, 5);
              return d.reason();
            });
  }

  @Test
  void rule1DropsTheRequesterItsHostAndItsBlocklist() {
    f.peer("same-host", "h-req", PeerState.SUCCEEDED);
    f.host("h-b");
    f.peer("blocked", "h-b", PeerState.SUCCEEDED);
    f.host("h-c");
    f.peer("fine", "h-c", PeerState.SUCCEEDED);
    RequesterFilter rule = new RequesterFilter();
    assertThat(reason(rule, "req", Set.of())).contains(DropReason.SAME_PEER);
    assertThat(reason(rule, "same-host", Set.of())).contains(DropReason.SAME_HOST);
    assertThat(reason(rule, "blocked", Set.of("blocked"))).contains(DropReason.BLOCKLISTED);
    assertThat(reason(rule, "fine", Set.of("blocked"))).isEmpty();
  }

  @Test
  void rule2DropsHostsThatAreNotOnlineSharedOrFree() {
    HostAvailabilityFilter rule = new HostAvailabilityFilter(50);
    f.peer("no-host", "h-missing", PeerState.SUCCEEDED);
    assertThat(reason(rule, "no-host", Set.of())).contains(DropReason.HOST_UNKNOWN);

    f.put(f.host("h-sus").withLiveness(Liveness.SUSPICIOUS));
    f.peer("sus", "h-sus", PeerState.SUCCEEDED);
    assertThat(reason(rule, "sus", Set.of())).contains(DropReason.HOST_NOT_ONLINE);

    f.put(f.host("h-off").withLiveness(Liveness.OFFLINE));
    f.peer("off", "h-off", PeerState.SUCCEEDED);
    assertThat(reason(rule, "off", Set.of())).contains(DropReason.HOST_NOT_ONLINE);

    f.put(f.host("h-ds").withDisableShared(true));
    f.peer("ds", "h-ds", PeerState.SUCCEEDED);
    assertThat(reason(rule, "ds", Set.of())).contains(DropReason.HOST_DISABLE_SHARED);

    f.put(f.host("h-q").withQuarantined(true));
    f.peer("q", "h-q", PeerState.SUCCEEDED);
    assertThat(reason(rule, "q", Set.of())).contains(DropReason.HOST_QUARANTINED);

    // limit 10 (fixture), 9 reported: one slot free; one edge created since the heartbeat fills it.
    f.put(f.host("h-busy").withLoad(new HostLoad(0, 9, 0), 500));
    f.peer("busy", "h-busy", PeerState.SUCCEEDED);
    assertThat(reason(rule, "busy", Set.of())).isEmpty();
    f.ledger.recordAllocation("h-busy", 600);
    assertThat(reason(rule, "busy", Set.of())).contains(DropReason.NO_FREE_UPLOAD_SLOT);
    // an allocation older than the heartbeat is already in its count
    f.put(f.hosts.get("h-busy").withLoad(new HostLoad(0, 9, 0), 700));
    assertThat(reason(rule, "busy", Set.of())).isEmpty();
  }

  @Test
  void rule2UsesTheDefaultLimitWhenTheHostReportsNone() {
    HostView h =
        HostView.online(
            "h-nolimit",
            HostType.NORMAL,
            "",
            "",
            HostCapacity.uploads(100, 0),
            new HostLoad(0, 2, 0));
    f.put(h);
    f.peer("nolimit", "h-nolimit", PeerState.SUCCEEDED);
    assertThat(reason(new HostAvailabilityFilter(3), "nolimit", Set.of())).isEmpty();
    assertThat(reason(new HostAvailabilityFilter(2), "nolimit", Set.of()))
        .contains(DropReason.NO_FREE_UPLOAD_SLOT);
  }

  @Test
  void rule3KeepsOnlyPeersWithSomethingToGive() {
    PeerStateFilter rule = new PeerStateFilter();
    f.host("h-n");
    f.host("h-s", HostType.SUPER_SEED, "idc-a", "");
    f.peer("pending", "h-n", PeerState.PENDING);
    f.peer("failed", "h-n", PeerState.FAILED);
    f.peer("left", "h-n", PeerState.LEFT);
    f.peer("orphan", "h-n", PeerState.RUNNING);
    f.peer("child", "h-n", PeerState.RUNNING);
    f.peer("bts", "h-n", PeerState.BACK_TO_SOURCE);
    f.peer("done", "h-n", PeerState.SUCCEEDED);
    f.peer("seed", "h-s", PeerState.RUNNING);
    f.edge("bts", "child");
    assertThat(reason(rule, "pending", Set.of())).contains(DropReason.STATE_CANNOT_SERVE);
    assertThat(reason(rule, "failed", Set.of())).contains(DropReason.STATE_CANNOT_SERVE);
    assertThat(reason(rule, "left", Set.of())).contains(DropReason.STATE_CANNOT_SERVE);
    assertThat(reason(rule, "orphan", Set.of())).contains(DropReason.NOTHING_TO_GIVE);
    assertThat(reason(rule, "child", Set.of())).isEmpty();
    assertThat(reason(rule, "bts", Set.of())).isEmpty();
    assertThat(reason(rule, "done", Set.of())).isEmpty();
    assertThat(reason(rule, "seed", Set.of())).isEmpty();
  }

  @Test
  void rule4DropsBadParents() {
    BadParentFilter rule = new BadParentFilter(BadParentRule.DEFAULT);
    f.host("h-n");
    f.peer("slow", "h-n", PeerState.SUCCEEDED).recordPiece(10, 1);
    f.task.peer("slow").orElseThrow().recordPiece(201, 2);
    f.peer("ok", "h-n", PeerState.SUCCEEDED).recordPiece(10, 1);
    f.task.peer("ok").orElseThrow().recordPiece(200, 2);
    assertThat(reason(rule, "slow", Set.of())).contains(DropReason.BAD_PARENT);
    assertThat(reason(rule, "ok", Set.of())).isEmpty();
  }

  @Test
  void rule5DropsCandidatesDownstreamOfTheRequester() {
    CycleFilter rule = new CycleFilter();
    f.host("h-n");
    f.peer("kid", "h-n", PeerState.RUNNING);
    f.peer("grandkid", "h-n", PeerState.RUNNING);
    f.peer("other", "h-n", PeerState.SUCCEEDED);
    f.edge("req", "kid");
    f.edge("kid", "grandkid");
    assertThat(reason(rule, "kid", Set.of())).contains(DropReason.WOULD_CYCLE);
    assertThat(reason(rule, "grandkid", Set.of())).contains(DropReason.WOULD_CYCLE);
    assertThat(reason(rule, "other", Set.of())).isEmpty();
  }

  /** req ← seed; req → kid → grandkid; {@code pieces} finished by req, kid, grandkid. */
  private void downstreamOfTheRequester(int req, int kid, int grandkid) {
    f.host("h-s", HostType.SUPER_SEED, "idc-a", "");
    f.peer("seed", "h-s", PeerState.BACK_TO_SOURCE);
    f.host("h-n");
    f.peer("kid", "h-n", PeerState.RUNNING);
    f.peer("grandkid", "h-n", PeerState.RUNNING);
    f.edge("seed", "req");
    f.edge("req", "kid");
    f.edge("kid", "grandkid");
    pieces("req", req);
    pieces("kid", kid);
    pieces("grandkid", grandkid);
  }

  private void pieces(String peerId, int n) {
    f.task.peer(peerId).orElseThrow().reportProgress(n, 1);
  }

  @Test
  void rule5MorePiecesLetsThroughADescendantHoldingMoreThanTheRequester() {
    downstreamOfTheRequester(3, 5, 3);
    CycleFilter rule = new CycleFilter(CycleRule.MORE_PIECES);
    assertThat(reason(rule, "kid", Set.of())).as("5 pieces > 3: two it lacks at least").isEmpty();
    assertThat(reason(rule, "grandkid", Set.of()))
        .as("as many as the requester: maybe only what it got from it")
        .contains(DropReason.WOULD_CYCLE);
    assertThat(reason(new CycleFilter(CycleRule.STRICT), "kid", Set.of()))
        .contains(DropReason.WOULD_CYCLE);
  }

  @Test
  void rule5SourceFedLetsThroughAnyDescendantOfARequesterFedOnlyBySources() {
    downstreamOfTheRequester(3, 1, 0);
    CycleFilter rule = new CycleFilter(CycleRule.SOURCE_FED);
    assertThat(reason(rule, "kid", Set.of())).isEmpty();
    assertThat(reason(rule, "grandkid", Set.of())).isEmpty();
    // a normal parent too: its descendants may hold only what came through it
    f.host("h-m");
    f.peer("mid", "h-m", PeerState.RUNNING);
    f.edge("mid", "req");
    assertThat(reason(rule, "kid", Set.of())).contains(DropReason.WOULD_CYCLE);
    assertThat(reason(new CycleFilter(CycleRule.SOURCE_FED_OR_MORE_PIECES), "kid", Set.of()))
        .contains(DropReason.WOULD_CYCLE);
    pieces("kid", 4);
    assertThat(reason(new CycleFilter(CycleRule.SOURCE_FED_OR_MORE_PIECES), "kid", Set.of()))
        .isEmpty();
    assertThat(reason(new CycleFilter(CycleRule.OFF), "grandkid", Set.of())).isEmpty();
  }

  @Test
  void theCycleRuleIsConfiguredByNameAndMorePiecesByDefault() {
    assertThat(FilterParams.defaults().cycleRule()).isEqualTo(CycleRule.MORE_PIECES);
    assertThat(CycleRule.byName("source-fed-or-more-pieces"))
        .isEqualTo(CycleRule.SOURCE_FED_OR_MORE_PIECES);
    assertThat(CycleRule.byName("STRICT")).isEqualTo(CycleRule.STRICT);
    assertThat(CycleRule.MORE_PIECES.configName()).isEqualTo("more-pieces");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> CycleRule.byName("loose"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("more-pieces");
    assertThat(CandidateFilters.standard(FilterParams.defaults()).get(4))
        .isInstanceOfSatisfying(
            CycleFilter.class, c -> assertThat(c.rule()).isEqualTo(CycleRule.MORE_PIECES));
  }

  @Test
  void standardChainHasTheFiveRulesInOrder() {
    assertThat(CandidateFilters.standard())
        .extracting(CandidateFilter::name)
        .containsExactly(
            RequesterFilter.NAME,
            HostAvailabilityFilter.NAME,
            PeerStateFilter.NAME,
            BadParentFilter.NAME,
            CycleFilter.NAME);
  }
}
