package io.swarmsched.cluster;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Kafka broker (KRaft, one node that is both broker and controller) running {@code
 * kafka.Kafka} in a child JVM on this JVM's classpath.
 *
 * <p>Data directory layout: {@code kafka/} (log.dirs, formatted on first use), {@code
 * config/server.properties} and {@code config/log4j2.xml} (rewritten on every start), {@code logs/}
 * (server.log, controller.log, and the child's console output in broker.out), {@code
 * cluster.properties} (the cluster id and the controller port the quorum was formatted with).
 */
public final class BrokerProcess implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BrokerProcess.class);
  static final int NODE_ID = 1;

  /**
   * A clean single-node shutdown takes a few seconds; after this the broker is killed (its logs
   * recover on start).
   */
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  private final LocalClusterConfig config;
  private final Process process;
  private final ClusterSecurity security;

  private BrokerProcess(LocalClusterConfig config, Process process, ClusterSecurity security) {
    this.config = config;
    this.process = process;
    this.security = security;
  }

  /** The cluster's credentials when it runs secured. */
  public java.util.Optional<ClusterSecurity> security() {
    return java.util.Optional.ofNullable(security);
  }

  /** Kafka client keys of the admin principal (empty map for a plaintext cluster). */
  Map<String, Object> adminClient() {
    return security == null ? Map.of() : security.kafkaClient(ClusterSecurity.ADMIN);
  }

  /**
   * Formats the data directory if needed, launches the child JVM and waits until the broker
   * answers.
   */
  public static BrokerProcess start(LocalClusterConfig config) {
    Path data = config.dataDir();
    requireOwnLayout(config);
    try {
      Files.createDirectories(data.resolve("config"));
      Files.createDirectories(data.resolve("logs"));
      Files.createDirectories(logDir(config));
    } catch (IOException e) {
      throw new ClusterException(
          "Cannot create the data directory " + data + ": " + e.getMessage(), e);
    }
    String clusterId = clusterIdFor(config);
    ClusterSecurity security =
        config.secure()
            ? ClusterSecurity.ensure(data, ClusterSecurity.brokerNames(config.host()))
            : null;
    Path serverProperties = writeServerProperties(config, security);
    Path log4j = writeLog4jConfig(config);
    if (!isFormatted(config)) {
      format(config, serverProperties, clusterId, security);
      recordFormattedSecurity(config, security != null);
    } else if (security != null && !formattedSecure(config)) {
      throw new ClusterException(
          "The data directory "
              + data
              + " was created without security, so its metadata holds no credentials for the"
              + " broker and admin principals; start it with --insecure on loopback, or use"
              + " another --data-dir (or delete this one) for a secured cluster.");
    }
    Process process = launch(config, serverProperties, log4j);
    BrokerProcess broker = new BrokerProcess(config, process, security);
    try {
      broker.awaitReady();
    } catch (RuntimeException e) {
      broker.close();
      throw e;
    }
    return broker;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public String bootstrapServers() {
    return config.bootstrapServers();
  }

  /**
   * Stops the broker (SIGTERM, so Kafka's own shutdown hook shuts it down cleanly) and waits for
   * it.
   */
  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    log.info("Stopping the Kafka broker (pid {})", process.pid());
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        log.warn("The Kafka broker did not stop within {}; killing it", STOP_TIMEOUT);
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      closeQuietly(process.getOutputStream());
    }
  }

  /**
   * Closes the pipe the child watches, as the operating system does when this JVM dies; the broker
   * then shuts itself down. For tests of that watchdog.
   */
  void closeControlPipe() {
    closeQuietly(process.getOutputStream());
  }

  /** Waits up to {@code timeout} for the child JVM to exit; true if it did. */
  boolean awaitExit(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * A directory Kafka itself keeps in a log dir: {@code topic-partition}, or one being deleted,
   * moved or cleaned up.
   */
  private static final Pattern PARTITION_DIR =
      Pattern.compile("^.+-\\d+(\\.[0-9a-zA-Z]+-(delete|future|stray))?$");

  /**
   * Refuses a data directory laid out by something else before the broker sees it: Kafka would
   * otherwise exit with "Found directory ..., 'config' is not in the form of topic-partition" (an
   * older {@code swarmsched up} nested a whole cluster directory under {@code kafka/}).
   *
   * @throws ClusterException with a one-line message naming the directory and what to do
   */
  static void requireOwnLayout(LocalClusterConfig config) {
    Path logDir = logDir(config);
    if (!Files.isDirectory(logDir)) {
      if (Files.exists(logDir)) {
        throw foreignLayout(config, logDir + " is a file, not the broker's data directory");
      }
      return;
    }
    try (var entries = Files.list(logDir)) {
      for (Path entry : (Iterable<Path>) entries::iterator) {
        String name = entry.getFileName().toString();
        if (Files.isDirectory(entry) && !PARTITION_DIR.matcher(name).matches()) {
          throw foreignLayout(config, entry + " is not a Kafka partition directory");
        }
      }
    } catch (IOException e) {
      throw new ClusterException(
          "Cannot read the data directory " + logDir + ": " + e.getMessage(), e);
    }
  }

  private static ClusterException foreignLayout(LocalClusterConfig config, String why) {
    return new ClusterException(
        "The data directory "
            + config.dataDir()
            + " has a layout this version does not use ("
            + why
            + "; an older `swarmsched up` wrote it?). Delete it to start afresh, or pass another --data-dir.");
  }

  private static void recordFormattedSecurity(LocalClusterConfig config, boolean secure) {
    Path file = config.dataDir().resolve("cluster.properties");
    Properties stored = new Properties();
    try {
      try (Reader in = Files.newBufferedReader(file)) {
        stored.load(in);
      }
      stored.setProperty("security", secure ? "scram" : "none");
      try (Writer out = Files.newBufferedWriter(file)) {
        stored.store(
            out,
            "swarmsched local cluster identity; delete the whole data directory to start afresh");
      }
    } catch (IOException e) {
      throw new ClusterException("Cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** Whether the metadata was formatted with the broker's and admin's SCRAM credentials. */
  private static boolean formattedSecure(LocalClusterConfig config) {
    Properties stored = new Properties();
    try (Reader in = Files.newBufferedReader(config.dataDir().resolve("cluster.properties"))) {
      stored.load(in);
    } catch (IOException e) {
      return false;
    }
    return "scram".equals(stored.getProperty("security"));
  }

  private static void ownerOnly(Path file) {
    try {
      java.nio.file.Files.setPosixFilePermissions(
          file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException | IOException e) {
      // not POSIX: the data directory's own permissions apply
    }
  }

  static Path logDir(LocalClusterConfig config) {
    return config.dataDir().resolve("kafka");
  }

  static boolean isFormatted(LocalClusterConfig config) {
    return Files.exists(logDir(config).resolve("meta.properties"));
  }

  /** The cluster id stored in the data directory, generated and stored on first use. */
  private static String clusterIdFor(LocalClusterConfig config) {
    Path file = config.dataDir().resolve("cluster.properties");
    Properties stored = new Properties();
    if (Files.exists(file)) {
      try (Reader in = Files.newBufferedReader(file)) {
        stored.load(in);
      } catch (IOException e) {
        throw new ClusterException("Cannot read " + file + ": " + e.getMessage(), e);
      }
    }
    String formattedPort = stored.getProperty("controller.port");
    if (formattedPort != null
        && isFormatted(config)
        && !formattedPort.equals(Integer.toString(config.controllerPort()))) {
      throw new ClusterException(
          "The data directory "
              + config.dataDir()
              + " was formatted with controller port "
              + formattedPort
              + "; start with --controller-port "
              + formattedPort
              + " or use another --data-dir.");
    }
    String clusterId = stored.getProperty("cluster.id");
    if (clusterId == null) {
      clusterId = Uuid.randomUuid().toString();
      stored.setProperty("cluster.id", clusterId);
      stored.setProperty("controller.port", Integer.toString(config.controllerPort()));
      try (Writer out = Files.newBufferedWriter(file)) {
        stored.store(
            out,
            "swarmsched local cluster identity; delete the whole data directory to start afresh");
      } catch (IOException e) {
        throw new ClusterException("Cannot write " + file + ": " + e.getMessage(), e);
      }
    }
    return clusterId;
  }

  static Properties serverProperties(LocalClusterConfig config) {
    return serverProperties(config, null);
  }

  /**
   * The broker's configuration; with {@code security}, its client listener speaks SASL_SSL (SCRAM-
   * SHA-512 over TLS with the cluster CA's certificate), the controller listener (loopback only)
   * SASL PLAIN for the broker's own principal (KRaft controllers cannot check SCRAM: its
   * credentials live in the metadata the controller serves), and the StandardAuthorizer denies
   * whatever no ACL allows, with the broker and admin principals as super users.
   */
  static Properties serverProperties(LocalClusterConfig config, ClusterSecurity security) {
    Properties p = new Properties();
    p.setProperty("process.roles", "broker,controller");
    p.setProperty("node.id", Integer.toString(NODE_ID));
    // The controller listens on loopback only; nothing outside this machine needs it.
    p.setProperty("controller.quorum.bootstrap.servers", "localhost:" + config.controllerPort());
    String client = security == null ? "PLAINTEXT" : "SASL_SSL";
    p.setProperty(
        "listeners",
        client
            + "://"
            + listenHost(config.bindAddress())
            + ":"
            + config.kafkaPort()
            + ",CONTROLLER://127.0.0.1:"
            + config.controllerPort());
    p.setProperty(
        "advertised.listeners",
        client
            + "://"
            + config.host()
            + ":"
            + config.kafkaPort()
            + ",CONTROLLER://localhost:"
            + config.controllerPort());
    p.setProperty("controller.listener.names", "CONTROLLER");
    p.setProperty("inter.broker.listener.name", client);
    if (security == null) {
      p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    } else {
      String broker = ClusterSecurity.BROKER;
      String password = security.password(broker);
      p.setProperty(
          "listener.security.protocol.map", "SASL_SSL:SASL_SSL,CONTROLLER:SASL_PLAINTEXT");
      p.setProperty("sasl.mechanism.inter.broker.protocol", ClusterSecurity.MECHANISM);
      p.setProperty("listener.name.sasl_ssl.sasl.enabled.mechanisms", ClusterSecurity.MECHANISM);
      p.setProperty(
          "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
          "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
              + broker
              + "\" password=\""
              + password
              + "\";");
      p.setProperty("sasl.mechanism.controller.protocol", "PLAIN");
      p.setProperty("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
      p.setProperty(
          "listener.name.controller.plain.sasl.jaas.config",
          "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
              + broker
              + "\" password=\""
              + password
              + "\" user_"
              + broker
              + "=\""
              + password
              + "\";");
      p.setProperty("ssl.keystore.type", "PKCS12");
      p.setProperty("ssl.keystore.location", security.brokerKeyStore().toString());
      p.setProperty("ssl.keystore.password", security.storePassword());
      p.setProperty("ssl.key.password", security.storePassword());
      p.setProperty("ssl.truststore.type", "PEM");
      p.setProperty("ssl.truststore.location", security.caCertificate().toString());
      p.setProperty(
          "authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
      p.setProperty(
          "super.users", "User:" + ClusterSecurity.BROKER + ";User:" + ClusterSecurity.ADMIN);
      p.setProperty("allow.everyone.if.no.acl.found", "false");
    }
    p.setProperty("log.dirs", logDir(config).toString());
    // Topics are provisioned from the catalog; a typo in a topic name must fail, not create a
    // topic.
    p.setProperty("auto.create.topics.enable", "false");
    p.setProperty("num.partitions", "1");
    p.setProperty("default.replication.factor", "1");
    p.setProperty("min.insync.replicas", "1");
    p.setProperty("offsets.topic.replication.factor", "1");
    p.setProperty("offsets.topic.num.partitions", "10");
    p.setProperty("transaction.state.log.replication.factor", "1");
    p.setProperty("transaction.state.log.min.isr", "1");
    p.setProperty("transaction.state.log.num.partitions", "10");
    p.setProperty("share.coordinator.state.topic.replication.factor", "1");
    p.setProperty("share.coordinator.state.topic.min.isr", "1");
    p.setProperty("group.initial.rebalance.delay.ms", "0");
    // Consumer groups may ask for a 4 s session (Kafka: at least 6 s): the services read this at
    // start-up and use it (GroupSession), so a killed instance is noticed 2 s sooner.
    p.setProperty("group.min.session.timeout.ms", "4000");
    // A killed exactly-once instance's open transaction holds back its partitions' committed
    // offsets and read_committed restores until it is aborted; the broker looks for timed-out
    // transactions every 10 s by default, which alone would double failover (docs/reliability.md).
    p.setProperty("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000");
    // Streams groups (Kafka's streams rebalance protocol, KIP-1071, group.protocol=streams): the
    // broker, not the client, sets their session, heartbeat and standby replicas. Kafka's defaults
    // (45 s session, at least 45 s; 5 s heartbeat; no standby) would notice a killed instance after
    // 45 s; these match the classic protocol's client settings in StreamsProps.FAILOVER_DEFAULTS.
    p.setProperty("group.streams.min.session.timeout.ms", "6000");
    p.setProperty("group.streams.session.timeout.ms", "6000");
    p.setProperty("group.streams.min.heartbeat.interval.ms", "1000");
    p.setProperty("group.streams.heartbeat.interval.ms", "1500");
    p.setProperty("group.streams.num.standby.replicas", "1");
    p.setProperty("log.segment.bytes", Integer.toString(64 * 1024 * 1024));
    return p;
  }

  /** A bind address as Kafka's listener syntax wants it (empty host = every interface). */
  private static String listenHost(String bind) {
    if (bind.equals("0.0.0.0")) {
      return "0.0.0.0";
    }
    return bind.contains(":") && !bind.startsWith("[") ? "[" + bind + "]" : bind;
  }

  private static Path writeServerProperties(LocalClusterConfig config, ClusterSecurity security) {
    Path file = config.dataDir().resolve("config").resolve("server.properties");
    try (Writer out = Files.newBufferedWriter(file)) {
      ownerOnly(file);
      serverProperties(config, security)
          .store(out, "Generated by swarmsched on every start; edits are overwritten");
    } catch (IOException e) {
      throw new ClusterException("Cannot write " + file + ": " + e.getMessage(), e);
    }
    return file;
  }

  private static Path writeLog4jConfig(LocalClusterConfig config) {
    Path file = config.dataDir().resolve("config").resolve("log4j2.xml");
    try (InputStream in = BrokerProcess.class.getResourceAsStream("broker-log4j2.xml")) {
      if (in == null) {
        throw new ClusterException("broker-log4j2.xml is missing from the classpath");
      }
      Files.write(file, in.readAllBytes());
    } catch (IOException e) {
      throw new ClusterException("Cannot write " + file + ": " + e.getMessage(), e);
    }
    return file;
  }

  /** {@code --add-scram} arguments of the format for the broker and admin principals. */
  static List<String> scramFormatArgs(ClusterSecurity security) {
    List<String> args = new ArrayList<>();
    for (String principal : List.of(ClusterSecurity.BROKER, ClusterSecurity.ADMIN)) {
      args.add("--add-scram");
      args.add(
          ClusterSecurity.MECHANISM
              + "=[name="
              + principal
              + ",password="
              + security.password(principal)
              + "]");
    }
    return args;
  }

  /**
   * Formats the log directory in-process ({@code StorageTool.main} would call System.exit). A
   * secured cluster gets the SCRAM credentials of its broker and admin principals here ({@code
   * --add-scram}), so the broker can authenticate its own first connections; every other principal
   * is added later through the admin client ({@link ClusterAccess}).
   */
  private static void format(
      LocalClusterConfig config,
      Path serverProperties,
      String clusterId,
      ClusterSecurity security) {
    log.info("Formatting {} for cluster {}", logDir(config), clusterId);
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    int code;
    List<String> args =
        new ArrayList<>(
            List.of(
                "format",
                "--config",
                serverProperties.toString(),
                "--cluster-id",
                clusterId,
                "--standalone"));
    if (security != null) {
      args.addAll(scramFormatArgs(security));
    }
    try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
      code = kafka.tools.StorageTool.execute(args.toArray(String[]::new), out);
    } catch (Exception e) {
      throw new ClusterException("Formatting " + logDir(config) + " failed: " + e.getMessage(), e);
    }
    if (code != 0) {
      throw new ClusterException(
          "Formatting "
              + logDir(config)
              + " failed (exit "
              + code
              + "): "
              + output.toString(StandardCharsets.UTF_8).strip());
    }
  }

  private static Process launch(LocalClusterConfig config, Path serverProperties, Path log4j) {
    Path logs = config.dataDir().resolve("logs");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(config.brokerJvmOptions());
    command.add("-Dlog4j2.configurationFile=" + log4j.toUri());
    command.add("-Dkafka.logs.dir=" + logs);
    command.add("-cp");
    command.add(childClasspath(System.getProperty("java.class.path")));
    command.add(BrokerMain.class.getName());
    command.add(serverProperties.toString());
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(config.dataDir().toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve("broker.out").toFile()));
    // stdin stays a pipe that this JVM holds open: BrokerMain exits when it closes.
    builder.environment().remove("JAVA_TOOL_OPTIONS");
    try {
      Process process = builder.start();
      log.info("Started the Kafka broker (pid {}), logs in {}", process.pid(), logs);
      return process;
    } catch (IOException e) {
      throw new ClusterException("Cannot start the broker JVM: " + e.getMessage(), e);
    }
  }

  /**
   * This JVM's classpath with every entry made absolute, because the child runs in the data
   * directory ({@code dir/*} wildcards stay wildcards; the child's launcher expands them).
   */
  static String childClasspath(String classpath) {
    List<String> entries = new ArrayList<>();
    for (String entry : classpath.split(java.io.File.pathSeparator)) {
      if (entry.isBlank()) {
        continue;
      }
      if (entry.equals("*")
          || entry.endsWith(java.io.File.separator + "*")
          || entry.endsWith("/*")) {
        String dir = entry.substring(0, entry.length() - 1);
        entries.add(
            Path.of(dir.isEmpty() ? "." : dir).toAbsolutePath().normalize()
                + java.io.File.separator
                + "*");
      } else {
        entries.add(Path.of(entry).toAbsolutePath().normalize().toString());
      }
    }
    return String.join(java.io.File.pathSeparator, entries);
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + config.startupTimeout().toNanos();
    Map<String, Object> adminConfig = new java.util.HashMap<>(adminClient());
    adminConfig.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    adminConfig.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
    adminConfig.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
    adminConfig.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
    try (Admin admin = Admin.create(adminConfig)) {
      while (true) {
        if (!process.isAlive()) {
          throw new ClusterException(
              "The Kafka broker exited during start-up (exit code "
                  + process.exitValue()
                  + "); see "
                  + config.dataDir().resolve("logs")
                  + " (server.log, broker.out). Last output: "
                  + lastLines(config.dataDir().resolve("logs").resolve("broker.out"), 5));
        }
        try {
          var nodes =
              admin
                  .describeCluster(new DescribeClusterOptions().timeoutMs(3000))
                  .nodes()
                  .get(5, TimeUnit.SECONDS);
          if (!nodes.isEmpty()) {
            log.info("Kafka broker answers at {}", config.bootstrapServers());
            return;
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new ClusterException("Interrupted while waiting for the Kafka broker");
        } catch (Exception e) {
          log.debug("Broker not ready yet: {}", e.toString());
        }
        if (System.nanoTime() - deadline >= 0) {
          throw new ClusterException(
              "The Kafka broker did not answer at "
                  + config.bootstrapServers()
                  + " within "
                  + config.startupTimeout().toSeconds()
                  + " s; see "
                  + config.dataDir().resolve("logs")
                  + ".");
        }
        sleep(250);
      }
    }
  }

  private static String lastLines(Path file, int count) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join(" | ", lines.subList(Math.max(0, lines.size() - count), lines.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(no output)";
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ClusterException("Interrupted while waiting for the Kafka broker");
    }
  }

  private static void closeQuietly(OutputStream stream) {
    try {
      stream.close();
    } catch (IOException ignored) {
      // the child is gone either way
    }
  }
}
