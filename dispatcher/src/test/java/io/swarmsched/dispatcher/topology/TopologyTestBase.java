package io.swarmsched.dispatcher.topology;

import static io.swarmsched.dispatcher.topology.DispatcherFixture.T0;
import static io.swarmsched.dispatcher.topology.DispatcherFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.dispatcher.state.StoredTask;
import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.HostType;
import io.swarmsched.schemas.Liveness;
import io.swarmsched.schemas.PeerEventType;
import io.swarmsched.schemas.ScheduleDecision;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;

/** What the dispatcher topology tests share: one fixture per test, closed after it. */
abstract class TopologyTestBase {
  DispatcherFixture f;

  @AfterEach
  void close() {
    if (f != null) f.close();
  }

  DispatcherFixture fixture() {
    return fixture(Map.of());
  }

  DispatcherFixture fixture(Map<String, String> overrides) {
    f = new DispatcherFixture(overrides);
    return f;
  }

  /** A fixture whose dispatcher signs what it writes itself with {@code serviceKey}. */
  DispatcherFixture fixture(io.swarmsched.runtime.auth.HostKeyPair serviceKey) {
    f = new DispatcherFixture(Map.of(), serviceKey);
    return f;
  }

  /** Task t1 has peer p1 (host h1) back-to-source already, through the dispatcher. */
  void firstPeerBackToSource(DispatcherFixture f) {
    f.host("h1", HostType.NORMAL, Liveness.ONLINE);
    f.send(request("r1", "t1", "p1", "h1", T0).build());
    assertThat(f.readDecisions())
        .extracting(ScheduleDecision::getOutcome)
        .containsExactly(DecisionOutcome.BACK_TO_SOURCE);
    f.peer("t1", "p1", "h1", PeerEventType.BACK_TO_SOURCE, T0 + 10);
  }

  KeyValueStore<String, StoredTask> tasks() {
    return f.driver.getKeyValueStore(DispatcherTopology.TASKS_STORE);
  }
}
