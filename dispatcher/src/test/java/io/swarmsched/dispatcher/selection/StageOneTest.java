package io.swarmsched.dispatcher.selection;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.dispatcher.DispatcherConfig;
import io.swarmsched.dispatcher.state.LedgerEntry;
import io.swarmsched.dispatcher.state.PeerRecord;
import io.swarmsched.dispatcher.state.PeerStatus;
import io.swarmsched.dispatcher.state.TaskState;
import io.swarmsched.scheduling.RankedParent;
import io.swarmsched.scheduling.Selection;
import io.swarmsched.scheduling.filter.DropReason;
import io.swarmsched.scheduling.resource.HostCapacity;
import io.swarmsched.scheduling.resource.HostLoad;
import io.swarmsched.scheduling.resource.HostType;
import io.swarmsched.scheduling.resource.HostView;
import io.swarmsched.scheduling.resource.ScoreLookup;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StageOneTest {
  private static final long NOW = 10_000;
  private final StageOne stageOne = new StageOne(DispatcherConfig.defaults());

  /** h1 runs two finished peers of the task, has 2 upload slots and had 1 child assigned since its last report. */
  private static TaskState taskWithTwoPeersOnOneHost() {
    TaskState t = new TaskState("t");
    for (String id : List.of("p1", "p2")) {
      PeerRecord p = new PeerRecord(id, "h1", 0);
      p.status = PeerStatus.SUCCEEDED;
      t.peers.put(id, p);
    }
    t.peers.put("me", new PeerRecord("me", "h-me", NOW));
    return t;
  }

  private static StageOne.Lookups lookups(LedgerEntry h1) {
    Map<String, HostView> hosts = Map.of(
        "h1", HostView.online("h1", HostType.NORMAL, "", "", HostCapacity.uploads(100L << 20, 2), HostLoad.IDLE),
        "h-me", HostView.online("h-me", HostType.NORMAL, "", "", HostCapacity.uploads(100L << 20, 2), HostLoad.IDLE));
    return new StageOne.Lookups(id -> Optional.ofNullable(hosts.get(id)), ScoreLookup.of(Map.of()),
        id -> "h1".equals(id) ? h1 : null);
  }

  @Test
  void aHostsAllocationsCountOnceHoweverManyOfItsPeersTheTaskHas() {
    LedgerEntry h1 = new LedgerEntry("h1");
    h1.uploadTimes.add(NOW - 1); // one child assigned after the host's last report (lastSeen 0)
    Selection s = stageOne.selectParents("r1", taskWithTwoPeersOnOneHost(), "me", Set.of(), lookups(h1), NOW);
    // 1 pending upload < 2 slots: both peers stay candidates (counting the allocation once per peer would make 2 >= 2)
    assertThat(s.parents()).extracting(RankedParent::peerId).containsExactlyInAnyOrder("p1", "p2");
  }

  @Test
  void aHostWhoseSlotsAreTakenByAllocationsIsDropped() {
    LedgerEntry h1 = new LedgerEntry("h1");
    h1.uploadTimes.addAll(List.of(NOW - 2, NOW - 1));
    Selection s = stageOne.selectParents("r1", taskWithTwoPeersOnOneHost(), "me", Set.of(), lookups(h1), NOW);
    assertThat(s.parents()).isEmpty();
    assertThat(s.drops()).extracting(d -> d.reason()).containsOnly(DropReason.NO_FREE_UPLOAD_SLOT);
  }

  @Test
  void uploadsSinceCountsOnlyAllocationsAtOrAfterTheReport() {
    LedgerEntry e = new LedgerEntry("h");
    e.uploadTimes.addAll(List.of(5L, 10L, 10L, 20L));
    assertThat(StageOne.uploadsSince(e, 10)).isEqualTo(3);
    assertThat(StageOne.uploadsSince(e, 21)).isZero();
    assertThat(StageOne.uploadsSince(null, 0)).isZero();
  }

  @Test
  void theTaskIsKeptBetweenRequestsAndFollowsTheState() {
    TaskState t = taskWithTwoPeersOnOneHost();
    LedgerEntry none = new LedgerEntry("h1");
    stageOne.selectParents("r1", t, "me", Set.of(), lookups(none), NOW);
    t.peers.get("p2").status = PeerStatus.LEFT; // not a state a parent can be in
    Selection s = stageOne.selectParents("r2", t, "me", Set.of(), lookups(none), NOW);
    assertThat(s.parents()).extracting(RankedParent::peerId).containsExactly("p1");
    assertThat(t.coreMirror.rebuilds()).isEqualTo(1);
    assertThat(t.coreMirror.syncs()).isEqualTo(1);
  }

  @Test
  void jobsPlacedSinceAWorkersHeartbeatCountAgainstItsSlots() {
    // two equal workers (4 slots, 1 job running at their heartbeat at t=100); w1 was given 2 jobs since, w2 one before it
    HostCapacity cap = new HostCapacity(0, 0, 4, 8, 32L << 30, 0);
    HostView w1 = new HostView("w1", "", HostType.NORMAL, "", "", Set.of(), io.swarmsched.scheduling.resource.Liveness.ONLINE,
        false, cap, new HostLoad(0, 0, 1), 100, false);
    HostView w2 = new HostView("w2", "", HostType.NORMAL, "", "", Set.of(), io.swarmsched.scheduling.resource.Liveness.ONLINE,
        false, cap, new HostLoad(0, 0, 1), 100, false);
    LedgerEntry e1 = new LedgerEntry("w1");
    e1.jobTimes.addAll(List.of(150L, 160L));
    LedgerEntry e2 = new LedgerEntry("w2");
    e2.jobTimes.add(50L); // before its heartbeat: already counted in running_tasks
    Map<String, LedgerEntry> ledger = Map.of("w1", e1, "w2", e2);
    io.swarmsched.schemas.JobRequirements job = io.swarmsched.schemas.JobRequirements.newBuilder()
        .setRequiredTags(List.of()).setMinMemoryBytes(0).setMinCpuCores(0).setGpus(0).build();
    var placement = stageOne.placeJob(job, List.of(w1, w2), ledger::get);
    assertThat(placement.hostId()).contains("w2"); // 1/4 against w1's 3/4
    assertThat(StageOne.jobsSince(e1, 100)).isEqualTo(2);
    assertThat(StageOne.jobsSince(e2, 100)).isZero();
    assertThat(StageOne.jobsSince(null, 0)).isZero();
  }
}
