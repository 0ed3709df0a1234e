package io.swarmsched.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PortsTest {
  @TempDir Path dataDir;

  @Test
  void startingOnATakenKafkaPortFailsNamingThePortAndTheFlag() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(0));
      int port = taken.getLocalPort();
      LocalClusterConfig config =
          LocalClusterConfig.defaults().withPorts(port, Ports.findFree(), 0).withDataDir(dataDir);

      assertThatThrownBy(() -> LocalCluster.start(config))
          .isInstanceOf(PortInUseException.class)
          .hasMessage(
              "Port "
                  + port
                  + " (Kafka) is already in use. Stop whatever is listening on it, "
                  + "or choose another port with --kafka-port.");
    }
  }

  @Test
  void takenRegistryPortIsReportedBeforeTheBrokerStarts() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(0));
      int port = taken.getLocalPort();
      LocalClusterConfig config =
          LocalClusterConfig.defaults()
              .withPorts(Ports.findFree(), Ports.findFree(), port)
              .withDataDir(dataDir);

      assertThatThrownBy(() -> LocalCluster.start(config))
          .isInstanceOfSatisfying(
              PortInUseException.class,
              e -> {
                assertThat(e.port()).isEqualTo(port);
                assertThat(e.purpose()).isEqualTo("schema registry");
              })
          .hasMessageContaining("--registry-port");
      assertThat(dataDir).isEmptyDirectory();
    }
  }

  @Test
  void freePortIsReportedFree() {
    assertThat(Ports.isFree(Ports.findFree())).isTrue();
  }

  @Test
  void freePortsAreDistinctAndOutsideTheEphemeralRange() {
    java.util.Set<Integer> ports = new java.util.HashSet<>();
    for (int i = 0; i < 50; i++) {
      assertThat(ports.add(Ports.findFree())).as("never handed out twice").isTrue();
    }
    int[] ephemeral = Ports.ephemeralRange();
    org.assertj.core.api.Assumptions.assumeThat(ephemeral)
        .as("/proc/sys/net/ipv4/ip_local_port_range (Linux)")
        .isNotNull();
    if (ephemeral[0] - Ports.LOW >= 1_000) {
      // the kernel never gives an outgoing connection one of these as its local port
      assertThat(ports).allMatch(p -> p >= Ports.LOW && p < ephemeral[0]);
    }
  }

  @Test
  void kafkaAndControllerPortsMustDiffer() {
    assertThatThrownBy(() -> LocalClusterConfig.defaults().withPorts(9092, 9092, 8081))
        .isInstanceOf(ClusterException.class)
        .hasMessageContaining("must differ");
  }
}
