package io.swarmsched.chaos;

import io.swarmsched.cluster.BrokerMain;
import io.swarmsched.cluster.ClusterException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * One node of a multi-node KRaft cluster (broker and controller in one JVM), run as local-cluster's
 * {@link BrokerMain} in a child JVM on this JVM's classpath: the same entry point and watchdog as
 * {@code swarmsched cluster}'s single broker, with a server.properties for node {@code id} of a
 * static three-voter quorum, replication factor 3 and {@code min.insync.replicas} 2.
 *
 * <p>{@link #kill()} is {@code kill -9}; {@link #start()} after it restarts the node on the same
 * log directory, as an operator restarting a crashed broker would.
 */
final class BrokerNode implements AutoCloseable {
  final int id;
  final int port;
  final int controllerPort;
  private final Path dir;
  private final String voters;
  private final String clusterId;
  private final List<String> jvmOptions;
  private Process process;

  /** System properties {@code chaos.broker.<key>} set broker setting {@code <key>}. */
  static final String BROKER_OVERRIDE_PREFIX = "chaos.broker.";

  BrokerNode(
      int id,
      int port,
      int controllerPort,
      Path dir,
      String voters,
      String clusterId,
      List<String> jvmOptions) {
    this.id = id;
    this.port = port;
    this.controllerPort = controllerPort;
    this.dir = dir;
    this.voters = voters;
    this.clusterId = clusterId;
    this.jvmOptions = List.copyOf(jvmOptions);
  }

  String address() {
    return "localhost:" + port;
  }

  Path logs() {
    return dir.resolve("logs");
  }

  synchronized long pid() {
    return process == null ? -1 : process.pid();
  }

  synchronized boolean isAlive() {
    return process != null && process.isAlive();
  }

  Properties serverProperties(int replication, int minIsr) {
    Properties p = new Properties();
    p.setProperty("process.roles", "broker,controller");
    p.setProperty("node.id", Integer.toString(id));
    p.setProperty("controller.quorum.voters", voters);
    p.setProperty("listeners", "PLAINTEXT://:" + port + ",CONTROLLER://:" + controllerPort);
    p.setProperty(
        "advertised.listeners",
        "PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort);
    p.setProperty("controller.listener.names", "CONTROLLER");
    p.setProperty("inter.broker.listener.name", "PLAINTEXT");
    p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.setProperty("log.dirs", dir.resolve("kafka").toString());
    p.setProperty("auto.create.topics.enable", "false");
    p.setProperty("num.partitions", "1");
    // Every topic, the internal ones included, on every broker; a write is acknowledged once two
    // replicas have it, so one broker may die without losing an acknowledged record or stopping
    // writes.
    p.setProperty("default.replication.factor", Integer.toString(replication));
    p.setProperty("min.insync.replicas", Integer.toString(minIsr));
    p.setProperty("offsets.topic.replication.factor", Integer.toString(replication));
    p.setProperty("offsets.topic.num.partitions", "10");
    p.setProperty("transaction.state.log.replication.factor", Integer.toString(replication));
    p.setProperty("transaction.state.log.min.isr", Integer.toString(minIsr));
    p.setProperty("transaction.state.log.num.partitions", "10");
    p.setProperty(
        "share.coordinator.state.topic.replication.factor", Integer.toString(replication));
    p.setProperty("share.coordinator.state.topic.min.isr", Integer.toString(minIsr));
    p.setProperty("unclean.leader.election.enable", "false");
    p.setProperty("group.initial.rebalance.delay.ms", "0");
    // Consumer groups may ask for a 4 s session (Kafka: at least 6 s): the services read this at
    // start-up and use it (GroupSession), so a killed instance is noticed 2 s sooner.
    p.setProperty("group.min.session.timeout.ms", "4000");
    // The transaction of a killed producer that nobody fences (its instance is not restarted) holds
    // back every read_committed reader of the partitions it wrote until it times out and the
    // coordinator aborts it; the coordinator looks for timed-out transactions every 10 s by
    // default.
    p.setProperty("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000");
    // Streams groups (group.protocol=streams, KIP-1071) take session, heartbeat and standby
    // replicas from the broker; as the local cluster's broker (BrokerProcess), matching the
    // classic protocol's client settings in StreamsProps.FAILOVER_DEFAULTS.
    p.setProperty("group.streams.min.session.timeout.ms", "6000");
    p.setProperty("group.streams.session.timeout.ms", "6000");
    p.setProperty("group.streams.min.heartbeat.interval.ms", "1000");
    p.setProperty("group.streams.heartbeat.interval.ms", "1500");
    p.setProperty("group.streams.num.standby.replicas", "1");
    p.setProperty("log.segment.bytes", Integer.toString(32 * 1024 * 1024));
    // A killed broker holds up every acks=all write, and every transaction marker (written with
    // acks=all), on each partition with a replica on it, until the active controller fences it:
    // broker.session.timeout.ms after its last heartbeat (Kafka: 9 s, heartbeat every 2 s). When
    // the killed broker was the controller, the new controller starts that clock when it takes
    // over, so a new controller is chosen sooner too: a follower stands for election after
    // controller.quorum.fetch.timeout.ms without the leader (Kafka: 2 s) and waits up to
    // controller.quorum.election.timeout.ms for the votes (Kafka: 1 s). Under exactly-once every
    // transaction open at the kill waits for the fence, and the coordinator aborts (and fences the
    // producer of) one older than transaction.timeout.ms (the services' 10 s; 5 s before
    // 2026-12-06,
    // when one run of four still fenced two living dispatchers: 17.2 s): the fence must come
    // as soon as it can. Measured (docs/reliability.md, "Chaos run"): kill to fence 13.3 and 12.9 s
    // with Kafka's settings; 6.9-7.6 s with a 4 s session (survivors' transactions outlived 5 s,
    // their instances rebalanced: 16.7 and 19.4 s to decide again); about 4.5 s with these (every
    // partition deciding again after 5.1-6.3 s, or 13.4 s when a survivor was still fenced), no
    // living broker fenced and no election lost at the runs' own load. A production cluster with
    // dedicated controllers can set the same.
    p.setProperty("broker.session.timeout.ms", "2500");
    p.setProperty("broker.heartbeat.interval.ms", "500");
    p.setProperty("controller.quorum.fetch.timeout.ms", "1000");
    p.setProperty("controller.quorum.election.timeout.ms", "500");
    // -Dchaos.broker.<key>=<value> on the harness JVM overrides or adds a broker setting, so that
    // a run can measure the brokers' failover settings against Kafka's defaults
    for (String name : System.getProperties().stringPropertyNames()) {
      if (name.startsWith(BROKER_OVERRIDE_PREFIX)) {
        p.setProperty(name.substring(BROKER_OVERRIDE_PREFIX.length()), System.getProperty(name));
      }
    }
    return p;
  }

  /**
   * Writes the config, formats the log directory on first use, launches the JVM (does not wait for
   * it).
   */
  synchronized void start(int replication, int minIsr) {
    if (isAlive()) {
      throw new IllegalStateException("broker " + id + " is running");
    }
    try {
      Files.createDirectories(dir.resolve("config"));
      Files.createDirectories(logs());
      Path server = dir.resolve("config").resolve("server.properties");
      try (Writer out = Files.newBufferedWriter(server)) {
        serverProperties(replication, minIsr).store(out, "swarmsched chaos broker " + id);
      }
      Path log4j = dir.resolve("config").resolve("log4j2.xml");
      // local-cluster's broker logging (server.log and controller.log under logs/)
      try (InputStream in = BrokerMain.class.getResourceAsStream("broker-log4j2.xml")) {
        if (in == null) {
          throw new ClusterException("broker-log4j2.xml is missing from the classpath");
        }
        Files.write(log4j, in.readAllBytes());
      }
      if (!Files.exists(dir.resolve("kafka").resolve("meta.properties"))) {
        format(server);
      }
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(jvmOptions);
      command.add("-Dlog4j2.configurationFile=" + log4j.toUri());
      command.add("-Dkafka.logs.dir=" + logs());
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.add(BrokerMain.class.getName());
      command.add(server.toString());
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(
                  ProcessBuilder.Redirect.appendTo(logs().resolve("broker.out").toFile()));
      builder.environment().remove("JAVA_TOOL_OPTIONS");
      process = builder.start(); // stdin stays a pipe: BrokerMain exits when this JVM goes away
    } catch (IOException e) {
      throw new ClusterException(
          "Cannot start broker " + id + " in " + dir + ": " + e.getMessage(), e);
    }
  }

  private void format(Path server) {
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    int code;
    try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
      // static voters (controller.quorum.voters): no --standalone / --initial-controllers
      code =
          kafka.tools.StorageTool.execute(
              new String[] {"format", "--config", server.toString(), "--cluster-id", clusterId},
              out);
    } catch (Exception e) {
      throw new ClusterException("Formatting broker " + id + " failed: " + e.getMessage(), e);
    }
    if (code != 0) {
      throw new ClusterException(
          "Formatting broker "
              + id
              + " failed (exit "
              + code
              + "): "
              + output.toString(StandardCharsets.UTF_8).strip());
    }
  }

  /**
   * {@code kill -9}: no shutdown hook, no controlled shutdown. Returns once the process is gone.
   */
  synchronized void kill() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Override
  public synchronized void close() {
    if (process == null || !process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
