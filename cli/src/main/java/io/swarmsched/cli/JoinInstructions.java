package io.swarmsched.cli;

import io.swarmsched.cluster.LocalCluster;
import io.swarmsched.runtime.config.CommonKeys;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The exact command an agent on another machine runs to join the embedded cluster. */
final class JoinInstructions {
  private JoinInstructions() {}

  /** Principal of the first agent joining from elsewhere; its file is reused on every start. */
  static final String REMOTE_AGENT = "agent-remote-1";

  /**
   * The {@code swarmsched agent} command line for a secured cluster (credentials in a file the
   * cluster writes) or a plaintext one (addresses only).
   */
  static List<String> command(LocalCluster cluster, String principal, String hostId) {
    List<String> cmd = new ArrayList<>(List.of("swarmsched", "agent"));
    if (cluster.security().isPresent()) {
      Path file = cluster.clientSettingsFile(principal);
      cmd.add("--config");
      cmd.add(file.toAbsolutePath().toString());
    } else {
      cmd.add("--" + CommonKeys.BOOTSTRAP_SERVERS + "=" + cluster.bootstrapServers());
      cmd.add("--" + CommonKeys.SCHEMA_REGISTRY_URL + "=" + cluster.registryUrl());
    }
    cmd.add("--swarm.agent.host.id=" + hostId);
    return cmd;
  }

  static void print(PrintWriter out, LocalCluster cluster) {
    List<String> cmd = command(cluster, REMOTE_AGENT, "remote-1");
    if (cluster.security().isPresent()) {
      out.println(
          "Agents elsewhere join with (copy the --config file to that machine first: it holds the"
              + " agent's password and token and the cluster's CA certificate; keep it secret):");
    } else if (cluster.config().loopbackOnly()) {
      out.println(
          "Kafka listens on loopback only: agents on this machine join with (for other machines,"
              + " restart with --bind 0.0.0.0, which secures it):");
    } else {
      out.println("Agents elsewhere join with (plaintext, unauthenticated: --insecure):");
    }
    out.println("  " + String.join(" ", cmd));
    out.println(
        "  (on another machine add --swarm.agent.bind.host=0.0.0.0"
            + " --swarm.agent.advertised.host=<its address> so that peers can fetch pieces from it)");
  }
}
