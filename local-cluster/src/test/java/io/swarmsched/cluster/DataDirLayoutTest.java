package io.swarmsched.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A data directory laid out by something else is refused before a broker starts on it. */
class DataDirLayoutTest {
  @TempDir Path dataDir;

  LocalClusterConfig config() {
    return LocalClusterConfig.defaults()
        .withPorts(Ports.findFree(), Ports.findFree(), 0)
        .withDataDir(dataDir)
        .withBrokerJvmOptions(List.of("-Xmx384m"));
  }

  @Test
  void theLayoutAnOlderUpWroteIsRefusedWithOneLineNamingTheDirectory() throws Exception {
    // What `swarmsched up` used to write: a whole cluster directory nested under kafka/.
    Path nested = dataDir.resolve("kafka");
    Files.createDirectories(nested.resolve("kafka").resolve("swarm.host-heartbeats.v1-0"));
    Files.createDirectories(nested.resolve("config"));
    Files.createDirectories(nested.resolve("logs"));
    Files.writeString(nested.resolve("cluster.properties"), "cluster.id=x\n");

    assertThatThrownBy(() -> LocalCluster.start(config()))
        .isInstanceOf(ClusterException.class)
        .hasMessageContaining(dataDir.toString())
        .hasMessageContaining("layout")
        .hasMessageContaining("--data-dir")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    assertThat(dataDir.resolve("config")).doesNotExist(); // refused before anything was written
  }

  @Test
  void kafkasOwnDirectoriesAreAccepted() throws Exception {
    Path logDir = dataDir.resolve("kafka");
    for (String dir :
        List.of(
            "__cluster_metadata-0",
            "swarm.decisions.v1-11",
            "__consumer_offsets-3",
            "swarm.hosts.v1-0.9f2c4e0a1b2c4d5e8f9a0b1c2d3e4f5a-delete",
            "t-2.0a1b2c3d4e5f60718293a4b5c6d7e8f9-future")) {
      Files.createDirectories(logDir.resolve(dir));
    }
    Files.writeString(logDir.resolve("meta.properties"), "version=1\n");
    Files.writeString(logDir.resolve("recovery-point-offset-checkpoint"), "0\n0\n");

    assertThatCode(() -> BrokerProcess.requireOwnLayout(config())).doesNotThrowAnyException();
  }

  @Test
  void aFileWhereTheBrokerDataBelongsIsRefused() throws Exception {
    Files.writeString(dataDir.resolve("kafka"), "not a directory");

    assertThatThrownBy(() -> BrokerProcess.requireOwnLayout(config()))
        .isInstanceOf(ClusterException.class)
        .hasMessageContaining("is a file");
  }
}
