package io.swarmsched.swarm;

import io.swarmsched.cluster.LocalCluster;
import io.swarmsched.cluster.LocalClusterConfig;
import io.swarmsched.cluster.Ports;
import io.swarmsched.dashboard.DashboardServer;
import io.swarmsched.dispatcher.DispatcherApp;
import io.swarmsched.dispatcher.DispatcherConfig;
import io.swarmsched.dtask.DtaskApi;
import io.swarmsched.dtask.DtaskApiConfig;
import io.swarmsched.ingest.HeartbeatIngestApp;
import io.swarmsched.ingest.IngestSettings;
import io.swarmsched.runtime.config.CommonKeys;
import io.swarmsched.runtime.config.Settings;
import io.swarmsched.scoring.streams.ScoringApp;
import io.swarmsched.scoring.streams.ScoringSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The whole scheduler in one process: the embedded cluster (a real KRaft broker in a child JVM and
 * the schema registry, with the topic catalog provisioned), heartbeat-ingest, scoring-streams and
 * the dispatcher, each with its own HTTP API, and the web dashboard reading those APIs. Agents join
 * it by its bootstrap and registry addresses, from this process or any other.
 */
public final class LocalSwarm implements AutoCloseable {

  /**
   * @param dataDir the cluster's data directory ({@code swarmsched cluster}'s layout: kafka/,
   *     config/, logs/, cluster.properties) with Streams state in state/ beside it, so {@code up}
   *     and {@code cluster} can take turns on one directory
   * @param policy the dispatcher's policy: load-aware or random
   * @param overrides any further settings, applied to every service (e.g.
   *     swarm.dispatcher.parents.max)
   * @param dashboardPort the web dashboard's port (0: any free port)
   * @param dtaskPort the dtask-scheduler API's port (0: any free port)
   * @param network where Kafka and the HTTP APIs listen, what they advertise, and whether they are
   *     secured
   */
  public record Options(
      Path dataDir,
      int kafkaPort,
      int controllerPort,
      int registryPort,
      int ingestPort,
      int scoringPort,
      int dispatcherPort,
      String policy,
      Map<String, String> overrides,
      int dashboardPort,
      int dtaskPort,
      Network network) {

    public Options(
        Path dataDir,
        int kafkaPort,
        int controllerPort,
        int registryPort,
        int ingestPort,
        int scoringPort,
        int dispatcherPort,
        String policy,
        Map<String, String> overrides,
        int dashboardPort,
        int dtaskPort) {
      this(
          dataDir,
          kafkaPort,
          controllerPort,
          registryPort,
          ingestPort,
          scoringPort,
          dispatcherPort,
          policy,
          overrides,
          dashboardPort,
          dtaskPort,
          Network.LOOPBACK);
    }

    public Options withNetwork(Network n) {
      return new Options(
          dataDir,
          kafkaPort,
          controllerPort,
          registryPort,
          ingestPort,
          scoringPort,
          dispatcherPort,
          policy,
          overrides,
          dashboardPort,
          dtaskPort,
          n);
    }

    /**
     * Each service's own default port, so `swarmsched up` answers where `swarmsched ingest` (etc.)
     * would.
     */
    public static final int DEFAULT_INGEST_PORT = IngestSettings.DEFAULT_HTTP_PORT;

    public static final int DEFAULT_SCORING_PORT = ScoringSettings.DEFAULT_HTTP_PORT;
    public static final int DEFAULT_DISPATCHER_PORT = DispatcherConfig.DEFAULT_HTTP_PORT;
    public static final int DEFAULT_DASHBOARD_PORT = DashboardServer.DEFAULT_PORT;
    public static final int DEFAULT_DTASK_PORT = DtaskApiConfig.DEFAULT_HTTP_PORT;

    public Options {
      overrides = Map.copyOf(overrides);
      network = network == null ? Network.LOOPBACK : network;
    }

    /** The conventional ports (Kafka 9092, controller 9093, registry 8081, services 8082–8084). */
    public static Options defaults(Path dataDir) {
      return new Options(
          dataDir,
          LocalClusterConfig.DEFAULT_KAFKA_PORT,
          LocalClusterConfig.DEFAULT_CONTROLLER_PORT,
          LocalClusterConfig.DEFAULT_REGISTRY_PORT,
          DEFAULT_INGEST_PORT,
          DEFAULT_SCORING_PORT,
          DEFAULT_DISPATCHER_PORT,
          DispatcherConfig.POLICY_LOAD_AWARE,
          Map.of(),
          DEFAULT_DASHBOARD_PORT,
          DEFAULT_DTASK_PORT);
    }

    /** Free ports everywhere, so it runs beside anything else on the machine. */
    public static Options ephemeral(Path dataDir) {
      return new Options(
          dataDir,
          Ports.findFree(),
          Ports.findFree(),
          Ports.findFree(),
          Ports.findFree(),
          Ports.findFree(),
          Ports.findFree(),
          DispatcherConfig.POLICY_LOAD_AWARE,
          Map.of(),
          0,
          0);
    }

    public Options withPolicy(String p) {
      return new Options(
          dataDir,
          kafkaPort,
          controllerPort,
          registryPort,
          ingestPort,
          scoringPort,
          dispatcherPort,
          p,
          overrides,
          dashboardPort,
          dtaskPort,
          network);
    }

    public Options withOverrides(Map<String, String> o) {
      Map<String, String> all = new HashMap<>(overrides);
      all.putAll(o);
      return new Options(
          dataDir,
          kafkaPort,
          controllerPort,
          registryPort,
          ingestPort,
          scoringPort,
          dispatcherPort,
          policy,
          all,
          dashboardPort,
          dtaskPort,
          network);
    }
  }

  /**
   * Where the swarm listens and how it is protected.
   *
   * @param bind the interface Kafka, the registry and the services' HTTP APIs listen on
   * @param advertised the host name or address clients on other machines use
   * @param secure TLS + SCRAM + ACLs on Kafka and bearer tokens on HTTP writes
   * @param insecureOptOut the explicit opt-out that allows plaintext beyond loopback
   */
  public record Network(String bind, String advertised, boolean secure, boolean insecureOptOut) {
    /** 127.0.0.1, plaintext: only this machine can connect. */
    public static final Network LOOPBACK = new Network("127.0.0.1", "localhost", false, false);

    /** Whether anything listens beyond loopback. */
    public boolean loopbackOnly() {
      return io.swarmsched.runtime.http.HttpApi.isLoopback(bind);
    }

    /** The host this machine's own clients use to reach the HTTP APIs. */
    String localHost() {
      return bind.equals("0.0.0.0") || bind.equals("::") || loopbackOnly() ? "127.0.0.1" : bind;
    }
  }

  private final Options options;
  private LocalCluster cluster;
  private HeartbeatIngestApp ingest;
  private ScoringApp scoring;
  private DispatcherApp dispatcher;
  private DashboardServer dashboard;
  private DtaskApi dtask;

  private LocalSwarm(Options options) {
    this.options = options;
  }

  /** Starts the cluster and every service, saying what it does through {@code say}. */
  public static LocalSwarm start(Options options, Consumer<String> say) throws Exception {
    LocalSwarm swarm = new LocalSwarm(options);
    try {
      Network net = options.network();
      say.accept(
          "starting Kafka (KRaft) on "
              + net.bind()
              + ":"
              + options.kafkaPort()
              + (net.secure() ? " (TLS + SCRAM + ACLs)" : " (plaintext)")
              + " and the schema registry on port "
              + options.registryPort()
              + " …");
      swarm.cluster =
          LocalCluster.start(
              LocalClusterConfig.defaults()
                  .withPorts(options.kafkaPort(), options.controllerPort(), options.registryPort())
                  .withDataDir(options.dataDir())
                  .withSecurity(net.secure(), net.insecureOptOut())
                  .withBind(net.bind(), net.advertised()));
      say.accept(
          "starting heartbeat-ingest, scoring-streams and the dispatcher ("
              + options.policy()
              + ") …");
      swarm.ingest =
          HeartbeatIngestApp.start(
              swarm.serviceSettings(
                  "ingest", options.ingestPort(), IngestSettings.SERVICE_DEFAULTS));
      swarm.scoring =
          ScoringApp.start(
              swarm.serviceSettings(
                  "scoring", options.scoringPort(), ScoringSettings.SERVICE_DEFAULTS));
      swarm.dispatcher =
          DispatcherApp.start(
              swarm.serviceSettings(
                  "dispatcher", options.dispatcherPort(), DispatcherConfig.SERVICE_DEFAULTS));
      Duration wait = Duration.ofSeconds(120);
      swarm.ingest.streams().awaitRunning(wait);
      swarm.scoring.awaitRunning(wait);
      swarm.dispatcher.awaitRunning(wait);
      swarm.dashboard =
          DashboardServer.start(
              new DashboardServer.Targets(
                  swarm.ingestUrl(),
                  swarm.scoringUrl(),
                  swarm.dispatcherUrl(),
                  swarm.registryUrl()),
              "127.0.0.1",
              options.dashboardPort());
      Map<String, String> dtaskSettings = new HashMap<>(options.overrides());
      dtaskSettings.put(CommonKeys.HTTP_HOST, "127.0.0.1");
      dtaskSettings.put(CommonKeys.HTTP_PORT, Integer.toString(options.dtaskPort()));
      dtaskSettings.put(DtaskApiConfig.INGEST_URL, swarm.ingestUrl());
      dtaskSettings.put(DtaskApiConfig.DISPATCHER_URL, swarm.dispatcherUrl());
      swarm.dtask = DtaskApi.start(DtaskApiConfig.from(Settings.of(dtaskSettings)));
      say.accept("swarmsched is up");
      return swarm;
    } catch (Exception | Error e) {
      swarm.close();
      throw e;
    }
  }

  /**
   * Settings every service of this swarm shares, plus the service's own defaults and HTTP port,
   * and, secured, its own principal's credentials and the HTTP tokens file.
   */
  private Settings serviceSettings(
      String principal, int httpPort, Map<String, String> serviceDefaults) {
    Network net = options.network();
    Map<String, String> m = new HashMap<>(serviceDefaults);
    // with its own token (swarm.http.token): the service registers its schemas with it
    m.putAll(cluster.clientSettings(principal));
    cluster
        .security()
        .ifPresent(
            s -> m.put(io.swarmsched.runtime.http.HttpAuth.TOKENS_FILE, s.tokensFile().toString()));
    if (!net.secure() && !net.loopbackOnly()) {
      m.put(io.swarmsched.runtime.http.HttpAuth.INSECURE, "true"); // the explicit opt-out
    }
    m.put(CommonKeys.HTTP_PORT, Integer.toString(httpPort));
    m.put(CommonKeys.HTTP_HOST, net.bind());
    // other instances (query forwarding) reach this one where it listens
    m.put(CommonKeys.HTTP_ADVERTISED, net.localHost() + ":" + httpPort);
    m.put(CommonKeys.STATE_DIR, options.dataDir().resolve("state").toString());
    m.putAll(options.overrides());
    m.putIfAbsent(DispatcherConfig.POLICY, options.policy());
    return Settings.of(m);
  }

  /**
   * Bootstrap servers and registry URL: all an agent or client needs to join a plaintext swarm. A
   * secured swarm needs credentials too: {@link #agentSettings} or {@link #clientSettings}.
   */
  public Map<String, String> commonSettings() {
    return Map.of(
        CommonKeys.BOOTSTRAP_SERVERS, bootstrapServers(),
        CommonKeys.SCHEMA_REGISTRY_URL, registryUrl());
  }

  /**
   * The settings of a process running as {@code principal}: bootstrap and registry, plus (secured)
   * its TLS trust, SCRAM credentials and HTTP token; a new principal gets credentials and ACLs.
   */
  public Map<String, String> clientSettings(String principal) {
    return cluster.clientSettings(principal);
  }

  /** {@link #clientSettings} of the agent principal for {@code hostId}. */
  public Map<String, String> agentSettings(String hostId) {
    return clientSettings(agentPrincipal(hostId));
  }

  /** {@code agent-<host id>} (a host id already starting with {@code agent-} is used as is). */
  public static String agentPrincipal(String hostId) {
    String name = hostId.startsWith("agent-") ? hostId : "agent-" + hostId;
    return name.replaceAll("[^A-Za-z0-9._-]", "_");
  }

  /** The embedded cluster (its security, client settings files). */
  public LocalCluster cluster() {
    return cluster;
  }

  public Options options() {
    return options;
  }

  public String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  public String registryUrl() {
    return cluster.registryUrl();
  }

  public String ingestUrl() {
    return "http://" + options.network().localHost() + ":" + ingest.httpPort();
  }

  public String scoringUrl() {
    return "http://" + options.network().localHost() + ":" + scoring.httpPort();
  }

  public String dispatcherUrl() {
    String url = dispatcher.url();
    return "http://" + options.network().localHost() + url.substring(url.lastIndexOf(':'));
  }

  /** dtask-scheduler's API: the one base URL a dtask worker or client is given. */
  public String dtaskUrl() {
    return dtask.url();
  }

  /** The web dashboard, http://127.0.0.1:PORT/ */
  public String dashboardUrl() {
    return dashboard.localUrl();
  }

  public Path logsDir() {
    return options.dataDir().resolve("logs");
  }

  /** How long the three services get to stop together before the cluster is stopped anyway. */
  public static final Duration SERVICE_STOP_BUDGET = Duration.ofSeconds(8);

  /**
   * How long the registry and broker get; a broker still stopping after it is left to finish on its
   * own (it also stops when this JVM's pipe to it closes).
   */
  public static final Duration CLUSTER_STOP_BUDGET = Duration.ofSeconds(10);

  /**
   * Stops the services (concurrently, within {@link #SERVICE_STOP_BUDGET}), then the cluster:
   * services first, so their Kafka clients can still commit and flush while the broker is up.
   * Returns within about the two budgets even when the broker is already gone.
   */
  @Override
  public void close() {
    BoundedClose.all(
        "the services", SERVICE_STOP_BUDGET, dtask, dashboard, dispatcher, scoring, ingest);
    BoundedClose.all("the local cluster", CLUSTER_STOP_BUDGET, cluster);
  }
}
