package io.swarmsched.swarm;

import io.swarmsched.cluster.LocalCluster;
import io.swarmsched.cluster.LocalClusterConfig;
import io.swarmsched.cluster.Ports;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ConfluentContainersTest}'s flow on the embedded cluster (a KRaft broker in a child JVM and
 * the project's own registry over HTTP), so the flow runs on every build, Docker or not, and the
 * container test cannot rot unnoticed where it is skipped. Its own broker, not the shared
 * EmbeddedKafka: other tests there read the same catalog topics with a mock registry, whose schema
 * ids would clash with this registry's.
 */
class ProductionPathFlowTest {
  @TempDir Path dir;

  @Test
  void heartbeatsAndScheduleRequestsGetDecisionsOnTheEmbeddedCluster() throws Exception {
    try (LocalCluster cluster =
        LocalCluster.start(
            LocalClusterConfig.defaults()
                .withPorts(Ports.findFree(), Ports.findFree(), Ports.findFree())
                .withDataDir(dir.resolve("cluster")))) {
      new ProductionPathFlow(
              cluster.bootstrapServers(), cluster.registryUrl(), dir.resolve("state"))
          .run();
    }
  }
}
