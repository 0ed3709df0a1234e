package io.swarmsched.scheduling.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.scheduling.ledger.AllocationLog;
import io.swarmsched.scheduling.resource.HostCapacity;
import io.swarmsched.scheduling.resource.HostLoad;
import io.swarmsched.scheduling.resource.HostType;
import io.swarmsched.scheduling.resource.HostView;
import io.swarmsched.scheduling.resource.Liveness;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WorkerPlacementTest {

  private static final long GIB = 1024L * 1024 * 1024;
  private final WorkerPlacement placement = new WorkerPlacement();
  private final AllocationLog assigned = new AllocationLog();
  private final PerformanceHistory history = new PerformanceHistory();

  private static HostView worker(
      String id, int running, int max, Set<String> tags, long mem, int cores, int gpus) {
    return HostView.online(
            id,
            HostType.NORMAL,
            "",
            "",
            new HostCapacity(0, 0, max, cores, mem, gpus),
            new HostLoad(0, 0, running))
        .withTags(tags)
        .withLoad(new HostLoad(0, 0, running), 100);
  }

  @Test
  void lowestLoadRatioAmongEligibleWorkersWins() {
    List<HostView> ws =
        List.of(
            worker("w1", 2, 4, Set.of("gpu"), 16 * GIB, 8, 1), // 0.5
            worker("w2", 1, 4, Set.of("gpu"), 16 * GIB, 8, 1), // 0.25
            worker("w3", 0, 4, Set.of(), 16 * GIB, 8, 1)); // no gpu tag
    Placement p =
        placement.place(new JobRequirements(Set.of("gpu"), 8 * GIB, 4, 1), ws, assigned, history);
    assertThat(p.hostId()).contains("w2");
    assertThat(p.loadRatio()).isEqualTo(0.25);
    assertThat(p.rejections())
        .extracting(WorkerRejection::hostId, WorkerRejection::reason)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("w3", WorkerRejection.Reason.MISSING_TAGS));
  }

  @Test
  void everyRequirementIsCheckedWithItsReason() {
    List<HostView> ws =
        List.of(
            worker("mem", 0, 4, Set.of(), 1 * GIB, 8, 1),
            worker("cpu", 0, 4, Set.of(), 16 * GIB, 2, 1),
            worker("gpu", 0, 4, Set.of(), 16 * GIB, 8, 0),
            worker("full", 4, 4, Set.of(), 16 * GIB, 8, 1),
            worker("none", 0, 0, Set.of(), 16 * GIB, 8, 1),
            worker("off", 0, 4, Set.of(), 16 * GIB, 8, 1).withLiveness(Liveness.OFFLINE));
    Placement p =
        placement.place(new JobRequirements(Set.of(), 2 * GIB, 4, 1), ws, assigned, history);
    assertThat(p.assigned()).isFalse();
    assertThat(p.rejections())
        .extracting(WorkerRejection::reason)
        .containsExactly(
            WorkerRejection.Reason.NOT_ENOUGH_CPU, WorkerRejection.Reason.FULL,
            WorkerRejection.Reason.NOT_ENOUGH_GPUS, WorkerRejection.Reason.NOT_ENOUGH_MEMORY,
            WorkerRejection.Reason.NOT_A_WORKER, WorkerRejection.Reason.NOT_ONLINE);
  }

  @Test
  void tiesGoToBetterHistoryThenToHostId() {
    List<HostView> ws =
        List.of(
            worker("b", 1, 2, Set.of(), 0, 0, 0),
            worker("a", 1, 2, Set.of(), 0, 0, 0),
            worker("c", 1, 2, Set.of(), 0, 0, 0));
    assertThat(placement.place(JobRequirements.NONE, ws, assigned, history).hostId()).contains("a");
    history.recordSuccess("c");
    assertThat(placement.place(JobRequirements.NONE, ws, assigned, history).hostId()).contains("c");
    history.recordFailure("c");
    history.recordFailure("c");
    assertThat(placement.place(JobRequirements.NONE, ws, assigned, history).hostId()).contains("a");
  }

  @Test
  void placementsCountUntilTheNextHeartbeat() {
    List<HostView> ws =
        List.of(worker("a", 0, 2, Set.of(), 0, 0, 0), worker("b", 0, 2, Set.of(), 0, 0, 0));
    for (String expected : new String[] {"a", "b", "a", "b"}) {
      Placement p = placement.place(JobRequirements.NONE, ws, assigned, history);
      assertThat(p.hostId()).contains(expected);
      WorkerPlacement.commit(p, assigned, 200);
    }
    assertThat(placement.place(JobRequirements.NONE, ws, assigned, history).assigned()).isFalse();
    // a heartbeat after the placements carries its own running count; older placements stop
    // counting
    HostView a = ws.get(0).withLoad(new HostLoad(0, 0, 1), 300);
    assertThat(placement.place(JobRequirements.NONE, List.of(a), assigned, history).hostId())
        .contains("a");
  }

  @Test
  void waitingQueueIsBoundedAndOrderedByPriority() {
    WaitingQueue<String> q = new WaitingQueue<>(2);
    assertThat(q.offer("j1", 0, 10, "x").accepted()).isTrue();
    assertThat(q.offer("j2", 5, 20, "y").accepted()).isTrue();
    WaitingQueue.Offer<String> low = q.offer("j3", 0, 30, "z");
    assertThat(low.accepted()).isFalse();
    WaitingQueue.Offer<String> high = q.offer("j4", 9, 40, "w");
    assertThat(high.accepted()).isTrue();
    assertThat(high.evicted()).map(WaitingQueue.Entry::id).contains("j1");
    assertThat(q.poll()).map(WaitingQueue.Entry::id).contains("j4");
    assertThat(q.poll()).map(WaitingQueue.Entry::id).contains("j2");
    assertThat(q.poll()).isEmpty();
  }
}
