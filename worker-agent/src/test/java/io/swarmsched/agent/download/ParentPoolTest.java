package io.swarmsched.agent.download;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.scheduling.piece.PieceParams;
import io.swarmsched.scheduling.piece.PiecePlanner;
import io.swarmsched.schemas.ParentCandidate;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class ParentPoolTest {

  private static ParentCandidate candidate(String peerId) {
    return ParentCandidate.newBuilder()
        .setPeerId(peerId)
        .setHostId("host-" + peerId)
        .setPieceServerAddress("127.0.0.1:1")
        .setTotalScore(0)
        .setIdcAffinity(0)
        .setLocationAffinity(0)
        .setLoadQuality(0)
        .setHostTypeScore(0)
        .setPeakBandwidthUsage(0)
        .setBandwidthDurationRatio(0)
        .setConcurrentEfficiency(0)
        .build();
  }

  private static BitSet bits(int... pieces) {
    BitSet b = new BitSet();
    for (int p : pieces) {
      b.set(p);
    }
    return b;
  }

  @Test
  void aRequestForMoreParentsNamesParentsThatHoldNothingTheChildLacks() {
    BitSet have = bits(0, 1);
    // a parent that fails two pieces is dropped here
    PiecePlanner planner = new PiecePlanner(4, have, 1, new PieceParams(2, 2, true, true, true));
    ParentPool pool = new ParentPool(null, "task", "child", planner, null, () -> {}, () -> {});
    pool.add(List.of(candidate("behind"), candidate("ahead"), candidate("failing")));
    planner.updateParent("behind", bits(0, 1), 1 << 20, 0, false); // holds only what the child has
    planner.updateParent("failing", bits(2, 3), 1 << 20, 0, false);
    planner.failed(planner.next().orElseThrow());
    planner.failed(planner.next().orElseThrow());
    assertThat(planner.droppedParents()).containsExactly("failing");
    planner.updateParent("ahead", bits(0, 1, 2, 3), 1 << 20, 0, false);
    assertThat(pool.keepOut()).containsExactlyInAnyOrder("behind", "failing");
  }
}
