package io.swarmsched.dispatcher.topology;

import static io.swarmsched.dispatcher.topology.DispatcherFixture.T0;

import io.swarmsched.schemas.HostCapacity;
import io.swarmsched.schemas.HostLoad;
import io.swarmsched.schemas.HostState;
import io.swarmsched.schemas.HostType;
import io.swarmsched.schemas.Liveness;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The {@link DispatcherLoadHarness}'s hosts: every 1,000th a super seed, every 10th a GPU worker,
 * spread over 8 IDCs and 32 locations, each with a random score.
 */
final class HarnessHosts {
  private HarnessHosts() {}

  /**
   * Pipes {@code hostCount} hosts and their scores into the global tables. Draws from {@code rnd}
   * in a fixed order: the requests that follow draw from the same generator, so the decisions stay
   * the same run to run.
   */
  static void load(DispatcherFixture f, int hostCount, SplittableRandom rnd) {
    for (int i = 0; i < hostCount; i++) {
      String id = DispatcherLoadHarness.hostId(i);
      boolean seed = i % 1000 == 0;
      HostState h =
          DispatcherFixture.hostState(
                  id, seed ? HostType.SUPER_SEED : HostType.NORMAL, Liveness.ONLINE, false)
              .setIdc("idc-" + rnd.nextInt(8))
              .setLocation("cn|p" + rnd.nextInt(4) + "|c" + rnd.nextInt(8))
              .setTags(i % 10 == 0 ? List.of("gpu") : List.of())
              .setCapacity(
                  HostCapacity.newBuilder()
                      .setMaxTxBytesPerSec(100L << 20)
                      .setUploadSlotLimit(50)
                      .setMaxTasks(i % 10 == 0 ? 8 : 0)
                      .setCpuCores(8)
                      .setMemoryBytes(32L << 30)
                      .build())
              .setLoad(HostLoad.newBuilder().setRunningTasks(rnd.nextInt(4)).build())
              .build();
      f.hosts.pipeInput(id, h, T0);
      double peak = rnd.nextDouble();
      double dur = rnd.nextDouble();
      double conc = rnd.nextDouble();
      f.score(id, peak, dur, conc);
    }
  }
}
