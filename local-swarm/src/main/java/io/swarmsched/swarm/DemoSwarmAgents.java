package io.swarmsched.swarm;

import io.swarmsched.agent.Agent;
import io.swarmsched.agent.AgentConfig;
import io.swarmsched.runtime.config.Settings;
import io.swarmsched.schemas.HostType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A local swarm of agents spread like a small fleet: agent 0 is a super seed, the rest normal
 * peers, alternating between two IDCs and four locations, each with the same upload limit.
 */
public final class DemoSwarmAgents {
  static final String[] LOCATIONS = {
    "cn|east|shanghai|pudong",
    "cn|east|hangzhou|xihu",
    "cn|north|beijing|haidian",
    "cn|south|shenzhen|nanshan"
  };

  private DemoSwarmAgents() {}

  /** One agent's identity and place. */
  public record Spec(String hostId, HostType type, String idc, String location) {}

  public static List<Spec> specs(int count) {
    List<Spec> specs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      HostType type = i == 0 ? HostType.SUPER_SEED : HostType.NORMAL;
      String host = (i == 0 ? "seed-" : "agent-") + i;
      specs.add(
          new Spec(host, type, i % 2 == 0 ? "idc-a" : "idc-b", LOCATIONS[i % LOCATIONS.length]));
    }
    return specs;
  }

  /** Settings of one agent joining {@code swarm}. */
  public static Settings settings(
      LocalSwarm swarm,
      Spec spec,
      Path dataDir,
      long uploadLimit,
      int pieceLength,
      Map<String, String> extra) {
    Map<String, String> m = new HashMap<>(swarm.agentSettings(spec.hostId()));
    m.put(AgentConfig.HOST_ID, spec.hostId());
    m.put(AgentConfig.TYPE, spec.type().name());
    m.put(AgentConfig.IDC, spec.idc());
    m.put(AgentConfig.LOCATION, spec.location());
    m.put(AgentConfig.DATA_DIR, dataDir.resolve(spec.hostId()).toString());
    m.put(AgentConfig.UPLOAD_LIMIT, Long.toString(uploadLimit));
    m.put(AgentConfig.PIECE_LENGTH, Integer.toString(pieceLength));
    m.put(AgentConfig.HEARTBEAT_INTERVAL, "1s");
    m.put(AgentConfig.CONTROL_PORT, "-1");
    m.putAll(extra);
    return Settings.of(m);
  }

  public static Agent start(
      LocalSwarm swarm,
      Spec spec,
      Path dataDir,
      long uploadLimit,
      int pieceLength,
      Map<String, String> extra)
      throws IOException {
    return Agent.start(
        AgentConfig.from(settings(swarm, spec, dataDir, uploadLimit, pieceLength, extra)));
  }
}
