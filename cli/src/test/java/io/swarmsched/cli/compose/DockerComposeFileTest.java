package io.swarmsched.cli.compose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.swarmsched.agent.AgentConfig;
import io.swarmsched.cli.Main;
import io.swarmsched.cluster.LocalClusterConfig;
import io.swarmsched.dispatcher.DispatcherConfig;
import io.swarmsched.ingest.IngestSettings;
import io.swarmsched.runtime.config.CommonKeys;
import io.swarmsched.runtime.config.Settings;
import io.swarmsched.schemas.HostType;
import io.swarmsched.scoring.streams.ScoringSettings;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import picocli.CommandLine;

/**
 * Checks docker-compose.yml, docker/Dockerfile and .dockerignore against the code, without a Docker
 * engine: what compose would only find out at {@code docker compose up} (a subcommand that does not
 * exist, a SWARM_* variable no setting reads, a port that does not match, a build input that is not
 * in the repository) fails here, in the normal test suite.
 */
class DockerComposeFileTest {

  /** The image built from this repository; services using it run {@code swarmsched <command>}. */
  private static final String SWARMSCHED_IMAGE = "swarmsched:";

  private static final Set<String> CONDITIONS =
      Set.of("service_started", "service_healthy", "service_completed_successfully");

  /**
   * Classes whose public String constants are the documented {@code swarm.*} configuration keys.
   */
  private static final List<Class<?>> KEY_CLASSES =
      List.of(
          CommonKeys.class,
          io.swarmsched.runtime.config.KafkaSecurity.class,
          AgentConfig.class,
          IngestSettings.class,
          ScoringSettings.class,
          DispatcherConfig.class,
          io.swarmsched.dtask.DtaskApiConfig.class);

  private static Path root;
  private static JsonNode compose;
  private static Map<String, JsonNode> services;

  @BeforeAll
  static void parse() throws IOException {
    root = repositoryRoot();
    Path file = root.resolve("docker-compose.yml");
    String text = Files.readString(file);
    // Jackson's YAML parser reports an alias as a plain string and ignores merge keys, so a file
    // using anchors would be checked as something other than what compose runs.
    assertThat(text)
        .as("docker-compose.yml must not use YAML anchors, aliases or merge keys")
        .doesNotContainPattern("(?m)^[^#\\n]*(<<:|:\\s+[&*][A-Za-z0-9_-]+\\s*$)")
        .doesNotContainPattern("(?m)^\\s*-\\s+\\*[A-Za-z0-9_-]+\\s*$");
    compose = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
    services = new LinkedHashMap<>();
    compose.path("services").properties().forEach(e -> services.put(e.getKey(), e.getValue()));
    generateCredentials();
  }

  /** Where the {@code security} volume is mounted in every container that uses it. */
  private static final String SECURITY_MOUNT = "/var/lib/swarmsched/security";

  /** The credentials directory inside it ({@code ClusterSecurity}: {@code <dir>/security}). */
  private static final String SECURITY_DIR = SECURITY_MOUNT + "/security";

  /** What the {@code credentials} service writes, generated here by its own command line. */
  private static Path generated;

  /** The generated broker's server.properties (what the kafka container starts from). */
  private static Map<String, String> kafkaServer;

  /**
   * Runs the {@code credentials} service's command, as compose gives it, with the volume's mount
   * point replaced by a temporary directory: the files the other services name must be among what
   * it writes.
   */
  private static void generateCredentials() throws IOException {
    Path volume = Files.createTempDirectory("compose-security");
    List<String> args = new ArrayList<>();
    for (String arg : command(services.get("credentials"))) {
      args.add(arg.equals(SECURITY_MOUNT) ? volume.toString() : arg);
    }
    int exit = Main.commandLine().execute(args.toArray(String[]::new));
    assertThat(exit).as("swarmsched %s", args).isZero();
    generated = volume.resolve("security");
    java.util.Properties p = new java.util.Properties();
    try (var in = Files.newBufferedReader(generated.resolve("kafka/server.properties"))) {
      p.load(in);
    }
    kafkaServer = new TreeMap<>();
    p.stringPropertyNames().forEach(k -> kafkaServer.put(k, p.getProperty(k)));
  }

  /**
   * A file of the security volume: a path compose names (under the mount point), or one a generated
   * file names (under the temporary directory standing for the volume here; in the containers, the
   * credentials service writes the mount point's path, which they all share).
   */
  private static Path inGenerated(String path) {
    String volume = generated.getParent().toString();
    if (path.startsWith(volume + "/")) {
      return Path.of(path);
    }
    assertThat(path).as("a file of the security volume").startsWith(SECURITY_DIR + "/");
    return generated.resolve(path.substring(SECURITY_DIR.length() + 1));
  }

  @Test
  void composeFileDefinesKafkaTheRegistryTheServicesAnOriginAndAgents() {
    assertThat(services.keySet())
        .contains(
            "kafka",
            "schema-registry",
            "topics",
            "heartbeat-ingest",
            "scoring-streams",
            "dispatcher",
            "origin");
    assertThat(services.get("kafka").path("image").asText()).startsWith("apache/kafka:");
    assertThat(services.get("schema-registry").path("image").asText())
        .startsWith("confluentinc/cp-schema-registry:");
    assertThat(agents()).as("agent services").hasSizeGreaterThanOrEqualTo(3);
    services.forEach(
        (name, service) ->
            assertThat(service.hasNonNull("image") || service.has("build"))
                .as("service %s has an image or a build", name)
                .isTrue());
  }

  @Test
  void everyDependsOnNamesADefinedServiceWithAConditionItCanMeet() {
    services.forEach(
        (name, service) ->
            dependencies(service)
                .forEach(
                    (target, condition) -> {
                      assertThat(services.keySet())
                          .as("%s depends on %s", name, target)
                          .contains(target);
                      assertThat(CONDITIONS)
                          .as("condition of %s -> %s", name, target)
                          .contains(condition);
                      if (condition.equals("service_healthy")) {
                        assertThat(services.get(target).has("healthcheck"))
                            .as(
                                "%s waits for %s to be healthy, so %s needs a healthcheck",
                                name, target, target)
                            .isTrue();
                      }
                      if (condition.equals("service_completed_successfully")) {
                        assertThat(isOneShot(services.get(target)))
                            .as(
                                "%s waits for %s to complete, so %s must be a one-shot (restart: \"no\")",
                                name, target, target)
                            .isTrue();
                      }
                    }));
  }

  @Test
  void dependenciesHaveNoCycle() {
    Map<String, Integer> state = new HashMap<>(); // 1 visiting, 2 done
    for (String name : services.keySet()) {
      visit(name, state, new ArrayList<>());
    }
  }

  @Test
  void everyBuildUsesADockerfileThatExistsInItsContext() {
    List<String> built = new ArrayList<>();
    services.forEach(
        (name, service) -> {
          if (!service.has("build")) {
            return;
          }
          built.add(name);
          JsonNode build = service.get("build");
          String context = build.isTextual() ? build.asText() : build.path("context").asText(".");
          String dockerfile =
              build.isTextual() ? "Dockerfile" : build.path("dockerfile").asText("Dockerfile");
          Path contextDir = root.resolve(context).normalize();
          assertThat(contextDir).as("build context of %s", name).isDirectory();
          assertThat(contextDir.resolve(dockerfile)).as("Dockerfile of %s", name).isRegularFile();
          assertThat(service.path("image").asText())
              .as("image tag of built service %s", name)
              .startsWith(SWARMSCHED_IMAGE);
        });
    assertThat(built).as("services built from this repository").isNotEmpty();
  }

  @Test
  void everySwarmschedCommandNamesASubcommandMainHas() {
    assertThat(swarmschedServices()).isNotEmpty();
    List<String> problems = new ArrayList<>();
    swarmschedServices()
        .forEach(
            (name, service) -> {
              List<String> args = command(service);
              String shown = "`swarmsched " + String.join(" ", args) + "` (service " + name + ")";
              if (args.isEmpty()) {
                problems.add("service " + name + " has no command");
                return;
              }
              CommandLine current = Main.commandLine();
              List<String> path = new ArrayList<>();
              for (String arg : args) {
                Map<String, CommandLine> subcommands = current.getSubcommands();
                if (arg.startsWith("-") || subcommands.isEmpty()) {
                  break;
                }
                if (!subcommands.containsKey(arg)) {
                  problems.add(
                      shown
                          + ": "
                          + (path.isEmpty() ? "swarmsched" : "swarmsched " + String.join(" ", path))
                          + " has no subcommand '"
                          + arg
                          + "'; it has "
                          + new TreeSet<>(subcommands.keySet()));
                  return;
                }
                current = subcommands.get(arg);
                path.add(arg);
              }
              try {
                Main.commandLine().parseArgs(args.toArray(String[]::new));
              } catch (CommandLine.ParameterException e) {
                problems.add(shown + " does not parse: " + e.getMessage());
              }
            });
    assertThat(problems).as("compose commands that io.swarmsched.cli.Main would refuse").isEmpty();
  }

  @Test
  void everySwarmEnvironmentVariableSetsADocumentedKey() throws IOException {
    Set<String> documented = documentedKeys();
    Map<String, String> variables = new LinkedHashMap<>();
    services.forEach(
        (name, service) ->
            environment(service).keySet().stream()
                .filter(v -> v.startsWith("SWARM_"))
                .forEach(v -> variables.put(name + ": " + v, v)));
    dockerfile().env().keySet().stream()
        .filter(v -> v.startsWith("SWARM_"))
        .forEach(v -> variables.put("docker/Dockerfile: " + v, v));
    assertThat(variables).isNotEmpty();
    variables.forEach(
        (where, variable) -> {
          if (variable.equals(Settings.CONFIG_ENV)) {
            return;
          }
          String key = Settings.envToKey(variable);
          assertThat(documented.contains(key) || key.startsWith(CommonKeys.STREAMS_PREFIX))
              .as(
                  "%s sets %s, which no setting in %s reads",
                  where, key, KEY_CLASSES.stream().map(Class::getSimpleName).toList())
              .isTrue();
        });
  }

  @Test
  void bootstrapServersPointAtKafkasAdvertisedListener() {
    Map<String, String> uses = new LinkedHashMap<>();
    services.forEach(
        (name, service) -> {
          Optional.ofNullable(environment(service).get("SWARM_BOOTSTRAP_SERVERS"))
              .ifPresent(v -> uses.put(name, v));
          Optional.ofNullable(
                  environment(service).get("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS"))
              .ifPresent(v -> uses.put(name + " (kafkastore)", v));
          List<String> args = command(service);
          int flag = args.indexOf("--bootstrap-server");
          if (flag >= 0 && flag + 1 < args.size()) {
            uses.put(name + " (--bootstrap-server)", args.get(flag + 1));
          }
        });
    assertThat(uses).containsKeys("topics (--bootstrap-server)", "heartbeat-ingest", "dispatcher");
    uses.forEach(
        (who, servers) -> {
          for (String server : servers.split(",")) {
            String hostPort = server.replaceFirst("^[A-Za-z_]+://", "");
            String host = hostPort.substring(0, hostPort.lastIndexOf(':'));
            int port = Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
            assertThat(services.keySet())
                .as("%s bootstraps from %s, not a service", who, host)
                .contains(host);
            assertThat(host).as("%s bootstraps from %s", who, host).isEqualTo("kafka");
            Map<String, String> advertised = listeners(kafkaServer.get("advertised.listeners"));
            assertThat(advertised.values())
                .as("%s uses %s; %s advertises %s", who, hostPort, host, advertised)
                .contains(host + ":" + port);
            String listenerName =
                advertised.entrySet().stream()
                    .filter(e -> e.getValue().equals(host + ":" + port))
                    .findFirst()
                    .orElseThrow()
                    .getKey();
            Map<String, String> bound = listeners(kafkaServer.get("listeners"));
            assertThat(bound)
                .as("%s binds listener %s", host, listenerName)
                .containsKey(listenerName);
            assertThat(bound.get(listenerName))
                .as("port of %s's listener %s", host, listenerName)
                .endsWith(":" + port);
          }
        });
  }

  @Test
  void kafkaPublishesTheEmbeddedModesPortToTheHost() {
    Map<String, String> advertised = listeners(kafkaServer.get("advertised.listeners"));
    Map<String, String> bound = listeners(kafkaServer.get("listeners"));
    String hostListener =
        advertised.entrySet().stream()
            .filter(e -> e.getValue().equals("localhost:" + LocalClusterConfig.DEFAULT_KAFKA_PORT))
            .map(Map.Entry::getKey)
            .findFirst()
            .orElseThrow(
                () ->
                    new AssertionError(
                        "kafka advertises no localhost:"
                            + LocalClusterConfig.DEFAULT_KAFKA_PORT
                            + " listener: "
                            + advertised));
    int containerPort = port(bound.get(hostListener));
    assertThat(publishedPorts(services.get("kafka")))
        .as("kafka's published ports")
        .containsEntry(LocalClusterConfig.DEFAULT_KAFKA_PORT, containerPort);
    for (String name : listenerNames(kafkaServer.get("listeners"))) {
      assertThat(kafkaServer.get("listener.security.protocol.map"))
          .as("protocol of listener %s", name)
          .containsPattern("(^|,)" + name + ":");
    }
    assertThat(kafkaServer.get("controller.quorum.bootstrap.servers"))
        .as("controller quorum of a one-node KRaft cluster: its own loopback listener")
        .isEqualTo("localhost:" + port(bound.get(kafkaServer.get("controller.listener.names"))));
    assertThat(kafkaServer.get("process.roles")).contains("broker").contains("controller");
  }

  /**
   * The broker runs with the embedded mode's settings (local-cluster's BrokerProcess), except those
   * that are about addresses, identity and disk, which compose sets for its network.
   */
  @Test
  void kafkaHasTheEmbeddedBrokersSettings() throws Exception {
    Set<String> local =
        Set.of(
            "listeners",
            "advertised.listeners",
            "listener.security.protocol.map",
            "controller.quorum.bootstrap.servers",
            "controller.listener.names",
            "log.dirs",
            "node.id",
            // the secured broker's inter-broker listener is its SASL_SSL one
            "inter.broker.listener.name");
    Class<?> brokerProcess = Class.forName("io.swarmsched.cluster.BrokerProcess");
    java.lang.reflect.Method serverProperties =
        brokerProcess.getDeclaredMethod("serverProperties", LocalClusterConfig.class);
    serverProperties.setAccessible(true);
    java.util.Properties embedded =
        (java.util.Properties) serverProperties.invoke(null, LocalClusterConfig.defaults());
    List<String> differences = new ArrayList<>();
    for (String key : new TreeSet<>(embedded.stringPropertyNames())) {
      if (local.contains(key)) {
        continue;
      }
      if (!embedded.getProperty(key).equals(kafkaServer.get(key))) {
        differences.add(
            key
                + "="
                + kafkaServer.get(key)
                + " but the embedded broker has "
                + key
                + "="
                + embedded.getProperty(key));
      }
    }
    assertThat(differences).as("kafka settings that differ from the embedded mode").isEmpty();
  }

  /**
   * Compose is secure as shipped (docs/design.md, "Security"): Kafka speaks only TLS + SCRAM beyond
   * its own loopback controller, and denies what no ACL allows. Checked on the files the
   * credentials service really generates; the containers were not run (no Docker engine here).
   */
  @Test
  void kafkaSpeaksOnlyTlsAndScramAndDeniesWhatNoAclAllows() throws IOException {
    String controller = kafkaServer.get("controller.listener.names");
    Map<String, String> bound = listeners(kafkaServer.get("listeners"));
    for (String entry : kafkaServer.get("listener.security.protocol.map").split(",")) {
      String listener = entry.substring(0, entry.indexOf(':'));
      String protocol = entry.substring(entry.indexOf(':') + 1);
      if (listener.equals(controller)) {
        assertThat(bound.get(listener)).as("the controller listens on loopback").startsWith("127.");
        continue;
      }
      assertThat(protocol).as("protocol of listener %s", listener).isEqualTo("SASL_SSL");
      assertThat(kafkaServer)
          .as("SCRAM on listener %s", listener)
          .containsEntry(
              "listener.name."
                  + listener.toLowerCase(java.util.Locale.ROOT)
                  + ".sasl.enabled.mechanisms",
              "SCRAM-SHA-512")
          .containsKey(
              "listener.name."
                  + listener.toLowerCase(java.util.Locale.ROOT)
                  + ".scram-sha-512.sasl.jaas.config");
    }
    assertThat(kafkaServer)
        .containsEntry("allow.everyone.if.no.acl.found", "false")
        .containsEntry(
            "authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    assertThat(inGenerated(kafkaServer.get("ssl.keystore.location"))).exists();
    assertThat(inGenerated(kafkaServer.get("ssl.truststore.location"))).exists();

    // the container starts from these files, formatted with the broker's and admin's SCRAM
    JsonNode kafka = services.get("kafka");
    // what the shell runs: compose turns $$ into $
    String script = String.join(" ", command(kafka)).replace("$$", "$");
    assertThat(script)
        .contains("K=" + SECURITY_DIR + "/kafka;")
        .contains("[ ! -f " + kafkaServer.get("log.dirs") + "/meta.properties ]")
        .contains("$K/format.args")
        .contains("kafka-storage.sh format --config \"$K/server.properties\"")
        .contains("exec /opt/kafka/bin/kafka-server-start.sh \"$K/server.properties\"");
    assertThat(Files.readAllLines(generated.resolve("kafka/format.args")))
        .containsExactly(
            "--add-scram",
            "SCRAM-SHA-512=[name=broker,password="
                + properties(generated.resolve("credentials.properties")).get("broker")
                + "]",
            "--add-scram",
            "SCRAM-SHA-512=[name=admin,password="
                + properties(generated.resolve("credentials.properties")).get("admin")
                + "]");
    assertThat(volumes(kafka))
        .contains(
            "security:" + SECURITY_MOUNT + ":ro", "kafka-data:" + kafkaServer.get("log.dirs"));
    List<String> health = new ArrayList<>();
    kafka.path("healthcheck").path("test").forEach(t -> health.add(t.asText()));
    assertThat(inGenerated(health.get(health.indexOf("--command-config") + 1))).exists();
    assertThat(properties(generated.resolve("kafka/admin.properties")))
        .containsEntry("security.protocol", "SASL_SSL");
  }

  /**
   * Every process that talks to Kafka does it as a principal of its own, over TLS with SCRAM, with
   * the client settings the credentials service wrote for it; the topics service (the admin) gives
   * every principal its credential and ACLs.
   */
  @Test
  void everyKafkaClientRunsAsItsOwnPrincipalOverTlsAndScram() {
    Map<String, String> principalOf = new TreeMap<>();
    services.forEach(
        (name, service) -> {
          if (!service.path("image").asText().startsWith(SWARMSCHED_IMAGE)) {
            return;
          }
          List<String> args = command(service);
          boolean kafkaClient =
              environment(service).containsKey("SWARM_BOOTSTRAP_SERVERS")
                  || (args.contains("--bootstrap-server") && !args.get(0).equals("credentials"));
          if (!kafkaClient) {
            return;
          }
          int config = args.indexOf("--config");
          assertThat(config)
              .as("%s runs with --config, its principal's client file", name)
              .isPositive();
          Map<String, String> settings = properties(inGenerated(args.get(config + 1)));
          String principal = settings.get(io.swarmsched.runtime.config.KafkaSecurity.USERNAME);
          assertThat(args.get(config + 1))
              .as("%s's client file", name)
              .endsWith("/clients/" + principal + ".properties");
          assertThat(settings)
              .as("%s's client settings", name)
              .containsEntry(io.swarmsched.runtime.config.KafkaSecurity.PROTOCOL, "SASL_SSL")
              .containsEntry(io.swarmsched.runtime.config.KafkaSecurity.MECHANISM, "SCRAM-SHA-512")
              .containsKey(io.swarmsched.runtime.config.KafkaSecurity.PASSWORD)
              .containsKey(io.swarmsched.runtime.http.HttpAuth.CLIENT_TOKEN);
          assertThat(settings.get(io.swarmsched.runtime.config.KafkaSecurity.CA_PEM))
              .contains("BEGIN CERTIFICATE");
          assertThat(settings.get(CommonKeys.BOOTSTRAP_SERVERS)).isEqualTo("kafka:9092");
          assertThat(volumes(service)).contains("security:" + SECURITY_MOUNT + ":ro");
          principalOf.put(name, principal);
        });
    assertThat(principalOf)
        .containsEntry("topics", "admin")
        .containsEntry("heartbeat-ingest", "ingest")
        .containsEntry("scoring-streams", "scoring")
        .containsEntry("dispatcher", "dispatcher")
        .containsEntry("seed", "agent-seed")
        .containsEntry("agent-1", "agent-1")
        .containsEntry("agent-2", "agent-2");
    // agents are named after their host id, as the embedded swarm names them
    for (String agent : List.of("seed", "agent-1", "agent-2")) {
      assertThat(principalOf.get(agent))
          .isEqualTo(
              io.swarmsched.swarm.LocalSwarm.agentPrincipal(
                  environment(services.get(agent)).get("SWARM_AGENT_HOST_ID")));
    }
    List<String> topics = command(services.get("topics"));
    assertThat(topics.get(topics.indexOf("--acls") + 1)).isEqualTo(SECURITY_MOUNT);
  }

  @Test
  void theRegistryReachesKafkaOverTlsAndScramAsTheRegistryPrincipal() throws IOException {
    JsonNode registry = services.get("schema-registry");
    Map<String, String> env = environment(registry);
    assertThat(env)
        .containsEntry("SCHEMA_REGISTRY_KAFKASTORE_SECURITY_PROTOCOL", "SASL_SSL")
        .containsEntry("SCHEMA_REGISTRY_KAFKASTORE_SASL_MECHANISM", "SCRAM-SHA-512")
        .containsEntry("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS", "SASL_SSL://kafka:9092")
        .containsEntry("SCHEMA_REGISTRY_KAFKASTORE_SSL_TRUSTSTORE_TYPE", "PEM");
    assertThat(inGenerated(env.get("SCHEMA_REGISTRY_KAFKASTORE_SSL_TRUSTSTORE_LOCATION"))).exists();
    String script = String.join(" ", command(registry)).replace("$$", "$");
    assertThat(script)
        .contains("SCHEMA_REGISTRY_KAFKASTORE_SASL_JAAS_CONFIG=")
        .contains(SECURITY_DIR + "/kafka/registry.jaas");
    assertThat(Files.readString(generated.resolve("kafka/registry.jaas")))
        .contains("ScramLoginModule required username=\"registry\"");
    assertThat(volumes(registry)).contains("security:" + SECURITY_MOUNT + ":ro");
  }

  @Test
  void schemaRegistryUrlsPointAtTheRegistrysListener() {
    List<String> users = new ArrayList<>();
    services.forEach(
        (name, service) -> {
          String url = environment(service).get("SWARM_SCHEMA_REGISTRY_URL");
          if (url == null) {
            return;
          }
          users.add(name);
          URI uri = URI.create(url);
          assertThat(services.keySet())
              .as("%s's registry host %s", name, uri.getHost())
              .contains(uri.getHost());
          String listeners =
              environment(services.get(uri.getHost())).get("SCHEMA_REGISTRY_LISTENERS");
          assertThat(listeners).as("SCHEMA_REGISTRY_LISTENERS of %s", uri.getHost()).isNotNull();
          assertThat(Arrays.stream(listeners.split(",")).map(l -> URI.create(l.trim()).getPort()))
              .as("%s uses %s", name, url)
              .contains(uri.getPort());
        });
    assertThat(users).contains("heartbeat-ingest", "scoring-streams", "dispatcher");
    assertThat(publishedPorts(services.get("schema-registry")))
        .as("registry published as in the embedded mode")
        .containsEntry(
            LocalClusterConfig.DEFAULT_REGISTRY_PORT, LocalClusterConfig.DEFAULT_REGISTRY_PORT);
  }

  @Test
  void httpPortsMatchPublishedPortsAndHealthchecks() {
    swarmschedServices()
        .forEach(
            (name, service) -> {
              Map<String, String> env = environment(service);
              String httpPort = env.get("SWARM_HTTP_PORT");
              if (httpPort == null) {
                return;
              }
              int port = Integer.parseInt(httpPort);
              if (!publishedPorts(service).isEmpty()) {
                assertThat(publishedPorts(service).values())
                    .as("%s publishes its HTTP port %d", name, port)
                    .contains(port);
              }
              assertThat(healthcheckPort(service))
                  .as("port %s's healthcheck calls", name)
                  .contains(port);
              Optional.ofNullable(env.get("SWARM_HTTP_ADVERTISED"))
                  .ifPresent(
                      a ->
                          assertThat(a)
                              .as("%s's advertised address", name)
                              .isEqualTo(name + ":" + port));
            });
  }

  /**
   * Every swarmsched service with an HTTP port serves {@code /metrics} there (service-runtime's
   * HttpApi), so Prometheus must scrape it: docker/prometheus/prometheus.yml has a target {@code
   * <service>:<SWARM_HTTP_PORT>} for each, and no target that names something else.
   */
  @Test
  void prometheusScrapesEveryServiceWithAnHttpPortAndNothingElse() throws IOException {
    JsonNode prometheus =
        new ObjectMapper(new YAMLFactory())
            .readTree(root.resolve("docker/prometheus/prometheus.yml").toFile());
    Set<String> targets = new TreeSet<>();
    for (JsonNode job : prometheus.path("scrape_configs")) {
      for (JsonNode config : job.path("static_configs")) {
        config.path("targets").forEach(t -> targets.add(t.asText()));
      }
    }
    Set<String> expected = new TreeSet<>();
    swarmschedServices()
        .forEach(
            (name, service) ->
                Optional.ofNullable(environment(service).get("SWARM_HTTP_PORT"))
                    .ifPresent(port -> expected.add(name + ":" + port)));
    assertThat(expected).as("services with an HTTP port").isNotEmpty();
    assertThat(targets).as("prometheus.yml's scrape targets").isEqualTo(expected);
    assertThat(services.get("prometheus").path("volumes").toString())
        .as("compose mounts the file it checks")
        .contains("./docker/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml");
  }

  @Test
  void publishedHostPortsAreDistinct() {
    List<Integer> published =
        services.values().stream().flatMap(s -> publishedPorts(s).keySet().stream()).toList();
    assertThat(published)
        .doesNotHaveDuplicates()
        .contains(LocalClusterConfig.DEFAULT_KAFKA_PORT, LocalClusterConfig.DEFAULT_REGISTRY_PORT);
  }

  @Test
  void everyNamedVolumeIsDeclared() {
    Set<String> declared = new TreeSet<>();
    compose.path("volumes").fieldNames().forEachRemaining(declared::add);
    services.forEach(
        (name, service) ->
            service
                .path("volumes")
                .forEach(
                    v -> {
                      String source =
                          v.isObject() ? v.path("source").asText("") : v.asText().split(":", 2)[0];
                      boolean named =
                          !source.isEmpty()
                              && !source.startsWith("/")
                              && !source.startsWith(".")
                              && !source.startsWith("~");
                      if (named) {
                        assertThat(declared)
                            .as("volume %s of %s is declared under volumes:", source, name)
                            .contains(source);
                      }
                    }));
  }

  @Test
  void everyLongRunningServiceHasAHealthcheck() {
    services.forEach(
        (name, service) -> {
          if (!isOneShot(service)) {
            JsonNode test = service.path("healthcheck").path("test");
            assertThat(test.isMissingNode() || test.isNull())
                .as("%s has a healthcheck test", name)
                .isFalse();
            assertThat(service.path("healthcheck").path("disable").asBoolean(false))
                .as("%s's healthcheck is not disabled", name)
                .isFalse();
          }
        });
  }

  @Test
  void agentsAdvertiseTheirServiceNameWithDistinctIdsAndASuperSeed() {
    Set<String> ids = new TreeSet<>();
    List<String> types = new ArrayList<>();
    agents()
        .forEach(
            (name, service) -> {
              Map<String, String> env = environment(service);
              assertThat(env)
                  .as("environment of agent %s", name)
                  .containsKeys(
                      Settings.keyToEnv(AgentConfig.HOST_ID),
                      Settings.keyToEnv(AgentConfig.TYPE),
                      Settings.keyToEnv(AgentConfig.IDC),
                      Settings.keyToEnv(AgentConfig.UPLOAD_LIMIT),
                      Settings.keyToEnv(AgentConfig.ADVERTISED_HOST));
              assertThat(env.get(Settings.keyToEnv(AgentConfig.ADVERTISED_HOST)))
                  .as("advertised host of %s", name)
                  .isEqualTo(name);
              assertThat(env.get(Settings.keyToEnv(AgentConfig.BIND_HOST)))
                  .as("%s must bind its piece server beyond loopback so peers reach it", name)
                  .isEqualTo("0.0.0.0");
              assertThat(ids.add(env.get(Settings.keyToEnv(AgentConfig.HOST_ID))))
                  .as("host id of %s is unique", name)
                  .isTrue();
              String type = env.get(Settings.keyToEnv(AgentConfig.TYPE));
              assertThat(Arrays.stream(HostType.values()).map(Enum::name))
                  .as("type of %s", name)
                  .contains(type);
              types.add(type);
              assertThat(
                      Settings.of(
                              Map.of(
                                  AgentConfig.UPLOAD_LIMIT,
                                  env.get(Settings.keyToEnv(AgentConfig.UPLOAD_LIMIT))))
                          .bytes(AgentConfig.UPLOAD_LIMIT, 0, 1, Long.MAX_VALUE))
                  .as("upload limit of %s", name)
                  .isPositive();
              String controlPort = env.get(Settings.keyToEnv(AgentConfig.CONTROL_PORT));
              int control =
                  controlPort == null
                      ? AgentConfig.DEFAULT_CONTROL_PORT
                      : Integer.parseInt(controlPort);
              assertThat(healthcheckPort(service))
                  .as("%s's healthcheck calls its control port", name)
                  .contains(control);
            });
    assertThat(types).contains(HostType.SUPER_SEED.name(), HostType.NORMAL.name());
  }

  @Test
  void dockerfileCopiesOnlyWhatTheRepositoryAndItsBuildStageHave() throws Exception {
    Dockerfile dockerfile = dockerfile();
    assertThat(dockerfile.stages())
        .as("stages of docker/Dockerfile")
        .hasSizeGreaterThanOrEqualTo(2);
    assertThat(dockerfile.copies()).isNotEmpty();
    for (Copy copy : dockerfile.copies()) {
      for (String source : copy.sources()) {
        if (copy.from() == null) {
          assertThat(Files.exists(root.resolve(source).normalize()))
              .as("COPY source %s (line %d) exists in the build context", source, copy.line())
              .isTrue();
          assertThat(DockerIgnore.load(root).excludes(relative(source)))
              .as("COPY source %s (line %d) is not excluded by .dockerignore", source, copy.line())
              .isFalse();
          continue;
        }
        Stage stage =
            dockerfile
                .stage(copy.from())
                .orElseThrow(
                    () -> new AssertionError("COPY --from=" + copy.from() + " names no stage"));
        assertThat(stage.copiesRepository())
            .as("stage %s copies the repository (COPY . .)", stage.name())
            .isTrue();
        assertThat(source)
            .as("COPY --from=%s source", copy.from())
            .startsWith(stage.workdir() + "/");
        checkBuildOutput(source.substring(stage.workdir().length() + 1), copy.line());
      }
    }
    String entrypoint = dockerfile.entrypoint();
    assertThat(entrypoint).as("ENTRYPOINT").contains(Main.class.getName());
    Set<String> destinations =
        dockerfile.copies().stream()
            .filter(c -> c.from() != null)
            .map(Copy::destination)
            .collect(Collectors.toSet());
    Matcher cp = Pattern.compile("-cp\", \"([^\"]+)\"").matcher(entrypoint);
    assertThat(cp.find()).as("ENTRYPOINT has a -cp").isTrue();
    for (String entry : cp.group(1).split(":")) {
      String copied = entry.endsWith("/*") ? entry.substring(0, entry.length() - 1) : entry;
      assertThat(destinations)
          .as("class path entry %s is a COPY destination", entry)
          .contains(copied);
    }
    Path wrapper = root.resolve("docker/swarmsched");
    if (Files.exists(wrapper)) {
      assertThat(Files.readString(wrapper))
          .as("docker/swarmsched runs the entrypoint's class path and main")
          .contains(cp.group(1))
          .contains(Main.class.getName());
    }
  }

  @Test
  void dockerignoreKeepsTheBuildInputsAndDropsBuildOutputs() throws IOException {
    DockerIgnore ignore = DockerIgnore.load(root);
    List<String> needed =
        new ArrayList<>(
            List.of(
                "mvnw", ".mvn/wrapper/maven-wrapper.properties", "pom.xml", "docker/Dockerfile"));
    for (String module : modules()) {
      needed.add(module + "/pom.xml");
      needed.add(module + "/src/main");
    }
    for (String path : needed) {
      assertThat(ignore.excludes(path)).as("%s is in the build context", path).isFalse();
    }
    assertThat(ignore.excludes("cli/target/swarmsched-cli-0.1.0-SNAPSHOT.jar"))
        .as("target/ stays out")
        .isTrue();
    assertThat(ignore.excludes("schema-registry/src/test/node/node_modules/x/index.js"))
        .as("node_modules stays out")
        .isTrue();
  }

  @Test
  void dockerComposeConfigAcceptsTheFileWhenComposeIsInstalled() throws Exception {
    Assumptions.assumeTrue(
        run(List.of("docker", "compose", "version")).exitCode() == 0,
        "skipped: `docker compose` is not installed here, so only the static checks ran");
    Result config =
        run(
            List.of(
                "docker",
                "compose",
                "-f",
                root.resolve("docker-compose.yml").toString(),
                "config",
                "--quiet"));
    assertThat(config.exitCode()).as("docker compose config: %s", config.output()).isZero();
  }

  // ---------------------------------------------------------------- compose helpers

  private static Map<String, JsonNode> swarmschedServices() {
    Map<String, JsonNode> result = new LinkedHashMap<>();
    services.forEach(
        (name, service) -> {
          if (service.path("image").asText().startsWith(SWARMSCHED_IMAGE) || service.has("build")) {
            result.put(name, service);
          }
        });
    return result;
  }

  private static Map<String, JsonNode> agents() {
    Map<String, JsonNode> result = new LinkedHashMap<>();
    swarmschedServices()
        .forEach(
            (name, service) -> {
              List<String> args = command(service);
              if (!args.isEmpty() && args.get(0).equals("agent")) {
                result.put(name, service);
              }
            });
    return result;
  }

  private static boolean isOneShot(JsonNode service) {
    return service.path("restart").asText("").equals("no");
  }

  private static List<String> command(JsonNode service) {
    JsonNode command = service.path("command");
    if (command.isArray()) {
      List<String> args = new ArrayList<>();
      command.forEach(a -> args.add(a.asText()));
      return args;
    }
    return command.isTextual() ? List.of(command.asText().trim().split("\\s+")) : List.of();
  }

  private static Map<String, String> dependencies(JsonNode service) {
    Map<String, String> result = new LinkedHashMap<>();
    JsonNode dependsOn = service.path("depends_on");
    if (dependsOn.isArray()) {
      dependsOn.forEach(d -> result.put(d.asText(), "service_started"));
    } else if (dependsOn.isObject()) {
      dependsOn
          .properties()
          .forEach(
              e ->
                  result.put(e.getKey(), e.getValue().path("condition").asText("service_started")));
    }
    return result;
  }

  private static void visit(String name, Map<String, Integer> state, List<String> path) {
    Integer s = state.get(name);
    if (s != null && s == 2) {
      return;
    }
    path.add(name);
    assertThat(s).as("depends_on cycle: %s", path).isNull();
    state.put(name, 1);
    JsonNode service = services.get(name);
    if (service != null) {
      for (String target : dependencies(service).keySet()) {
        visit(target, state, path);
      }
    }
    state.put(name, 2);
    path.remove(path.size() - 1);
  }

  private static Map<String, String> environment(JsonNode service) {
    Map<String, String> env = new LinkedHashMap<>();
    JsonNode node = service.path("environment");
    if (node.isObject()) {
      node.properties()
          .forEach(e -> env.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asText()));
    } else if (node.isArray()) {
      node.forEach(
          item -> {
            String[] kv = item.asText().split("=", 2);
            env.put(kv[0], kv.length > 1 ? kv[1] : null);
          });
    }
    return env;
  }

  private static List<String> volumes(JsonNode service) {
    List<String> out = new ArrayList<>();
    service.path("volumes").forEach(v -> out.add(v.asText()));
    return out;
  }

  private static Map<String, String> properties(Path file) {
    java.util.Properties p = new java.util.Properties();
    try (var in = Files.newBufferedReader(file)) {
      p.load(in);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Map<String, String> m = new TreeMap<>();
    p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
    return m;
  }

  /**
   * "PLAINTEXT://kafka:9092,HOST://localhost:9092" → {PLAINTEXT=kafka:9092, HOST=localhost:9092}.
   */
  private static Map<String, String> listeners(String spec) {
    Map<String, String> result = new LinkedHashMap<>();
    if (spec != null) {
      for (String listener : spec.split(",")) {
        String[] parts = listener.trim().split("://", 2);
        result.put(parts[0], parts[1]);
      }
    }
    return result;
  }

  private static List<String> listenerNames(String spec) {
    return new ArrayList<>(listeners(spec).keySet());
  }

  private static int port(String hostPort) {
    return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
  }

  /** Published host port → container port. */
  private static Map<Integer, Integer> publishedPorts(JsonNode service) {
    Map<Integer, Integer> result = new LinkedHashMap<>();
    for (JsonNode p : service.path("ports")) {
      if (p.isObject()) {
        if (p.has("published")) {
          result.put(p.get("published").asInt(), p.get("target").asInt());
        }
        continue;
      }
      String[] parts = p.asText().replaceFirst("/(tcp|udp)$", "").split(":");
      if (parts.length >= 2) {
        result.put(
            Integer.parseInt(parts[parts.length - 2]), Integer.parseInt(parts[parts.length - 1]));
      }
    }
    return result;
  }

  private static Optional<Integer> healthcheckPort(JsonNode service) {
    StringBuilder test = new StringBuilder();
    service.path("healthcheck").path("test").forEach(t -> test.append(t.asText()).append(' '));
    if (service.path("healthcheck").path("test").isTextual()) {
      test.append(service.path("healthcheck").path("test").asText());
    }
    Matcher m = Pattern.compile("https?://[^/:\\s]+:(\\d+)").matcher(test);
    return m.find() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
  }

  /**
   * The {@code swarm.*} keys written down as public String constants (and defaults) in {@link
   * #KEY_CLASSES}.
   */
  private static Set<String> documentedKeys() {
    Set<String> keys = new TreeSet<>();
    for (Class<?> type : KEY_CLASSES) {
      for (Field field : type.getFields()) {
        int mods = field.getModifiers();
        if (!Modifier.isStatic(mods) || !Modifier.isFinal(mods)) {
          continue;
        }
        try {
          Object value = field.get(null);
          if (value instanceof String s && s.startsWith("swarm.") && !s.endsWith(".")) {
            keys.add(s);
          } else if (value instanceof Map<?, ?> map) {
            map.keySet().stream()
                .filter(k -> k instanceof String s && s.startsWith("swarm."))
                .forEach(k -> keys.add((String) k));
          }
        } catch (IllegalAccessException e) {
          throw new AssertionError(e);
        }
      }
    }
    return keys;
  }

  // ---------------------------------------------------------------- Dockerfile

  private record Copy(int line, String from, List<String> sources, String destination) {}

  private record Stage(String name, String workdir, boolean copiesRepository) {}

  private record Dockerfile(
      List<Stage> stages, List<Copy> copies, Map<String, String> env, String entrypoint) {
    Optional<Stage> stage(String name) {
      return stages.stream().filter(s -> name.equals(s.name())).findFirst();
    }
  }

  /**
   * The build service's Dockerfile, parsed as far as these checks need: stages, COPY, ENV,
   * ENTRYPOINT.
   */
  private static Dockerfile dockerfile() throws IOException {
    JsonNode build =
        swarmschedServices().values().stream()
            .filter(s -> s.has("build"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no service builds the swarmsched image"))
            .get("build");
    Path file =
        root.resolve(build.path("context").asText("."))
            .resolve(build.path("dockerfile").asText("Dockerfile"));
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    List<Stage> stages = new ArrayList<>();
    List<Copy> copies = new ArrayList<>();
    Map<String, String> env = new LinkedHashMap<>();
    String entrypoint = "";
    String stageName = null;
    String workdir = "/";
    boolean copiesRepository = false;
    boolean inStage = false;
    StringBuilder instruction = new StringBuilder();
    int start = 0;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (instruction.isEmpty() && (line.isBlank() || line.stripLeading().startsWith("#"))) {
        continue;
      }
      if (!instruction.isEmpty() && line.stripLeading().startsWith("#")) {
        continue; // comment inside a continued instruction
      }
      if (instruction.isEmpty()) {
        start = i + 1;
      }
      if (line.endsWith("\\")) {
        instruction.append(line, 0, line.length() - 1).append(' ');
        continue;
      }
      instruction.append(line);
      String text = instruction.toString().strip();
      instruction.setLength(0);
      String[] words = text.split("\\s+");
      switch (words[0].toUpperCase()) {
        case "FROM" -> {
          if (inStage) {
            stages.add(new Stage(stageName, workdir, copiesRepository));
          }
          inStage = true;
          stageName = words.length >= 4 && words[2].equalsIgnoreCase("AS") ? words[3] : null;
          workdir = "/";
          copiesRepository = false;
        }
        case "WORKDIR" -> workdir = words[1].startsWith("/") ? words[1] : workdir + "/" + words[1];
        case "COPY", "ADD" -> {
          String from = null;
          List<String> rest = new ArrayList<>();
          for (int w = 1; w < words.length; w++) {
            if (words[w].startsWith("--from=")) {
              from = words[w].substring("--from=".length());
            } else if (!words[w].startsWith("--")) {
              rest.add(words[w]);
            }
          }
          List<String> sources = rest.subList(0, rest.size() - 1);
          if (from == null && sources.equals(List.of("."))) {
            copiesRepository = true;
          }
          copies.add(new Copy(start, from, List.copyOf(sources), rest.get(rest.size() - 1)));
        }
        case "ENV" -> {
          Matcher m =
              Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|\\S+)")
                  .matcher(text.substring(3));
          while (m.find()) {
            env.put(m.group(1), m.group(2).replace("\"", ""));
          }
        }
        case "ENTRYPOINT" -> entrypoint = text.substring("ENTRYPOINT".length()).strip();
        default -> {}
      }
    }
    if (inStage) {
      stages.add(new Stage(stageName, workdir, copiesRepository));
    }
    return new Dockerfile(stages, copies, env, entrypoint);
  }

  /**
   * A path the build stage produced, e.g. {@code cli/target/swarmsched-cli-0.1.0-SNAPSHOT.jar}: the
   * module exists, the jar is its artifactId-version, and {@code target/lib/} is filled by the
   * module's copy-dependencies execution.
   */
  private static void checkBuildOutput(String path, int line) throws Exception {
    String[] parts = path.replaceAll("/+$", "").split("/");
    assertThat(parts.length)
        .as("build output %s (line %d) is <module>/target/...", path, line)
        .isGreaterThanOrEqualTo(3);
    String module = parts[0];
    assertThat(parts[1]).as("build output %s (line %d)", path, line).isEqualTo("target");
    Path pom = root.resolve(module).resolve("pom.xml");
    assertThat(pom)
        .as("module %s of build output %s (line %d)", module, path, line)
        .isRegularFile();
    String pomText = Files.readString(pom);
    String leaf = parts[parts.length - 1];
    if (leaf.endsWith(".jar")) {
      Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
      Element project = doc.getDocumentElement();
      String artifactId = childText(project, "artifactId");
      String version =
          Optional.ofNullable(childText(project, "version"))
              .orElseGet(
                  () ->
                      childText(
                          (Element) project.getElementsByTagName("parent").item(0), "version"));
      assertThat(leaf)
          .as("jar of module %s (line %d)", module, line)
          .isEqualTo(artifactId + "-" + version + ".jar");
      assertThat(pomText)
          .as("module %s builds a jar", module)
          .doesNotContain("<packaging>pom</packaging>");
    } else if (parts.length == 3 && leaf.equals("lib")) {
      assertThat(pomText)
          .as(
              "%s (line %d) is filled by %s's copy-dependencies into target/lib",
              path, line, module)
          .contains("copy-dependencies")
          .contains("<outputDirectory>${project.build.directory}/lib</outputDirectory>");
    } else {
      fail("build output %s (line %d) is neither the module jar nor target/lib", path, line);
    }
  }

  private static String childText(Element parent, String name) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        return e.getTextContent().trim();
      }
    }
    return null;
  }

  private static List<String> modules() throws IOException {
    Matcher m =
        Pattern.compile("<module>([^<]+)</module>")
            .matcher(Files.readString(root.resolve("pom.xml")));
    List<String> modules = new ArrayList<>();
    while (m.find()) {
      modules.add(m.group(1).trim());
    }
    assertThat(modules).as("modules of the root pom").contains("cli");
    return modules;
  }

  private static String relative(String source) {
    String s = source.replaceAll("^\\./", "").replaceAll("/+$", "");
    return s.isEmpty() ? "." : s;
  }

  // ---------------------------------------------------------------- .dockerignore

  /**
   * .dockerignore as Docker reads it: Go {@code filepath.Match} patterns plus {@code **}, a pattern
   * matching a directory excludes what is under it, {@code !} re-includes, last match wins.
   */
  private record DockerIgnore(List<Pattern> patterns, List<Boolean> exclude) {
    static DockerIgnore load(Path root) throws IOException {
      List<Pattern> patterns = new ArrayList<>();
      List<Boolean> exclude = new ArrayList<>();
      Path file = root.resolve(".dockerignore");
      if (Files.exists(file)) {
        for (String raw : Files.readAllLines(file)) {
          String line = raw.strip();
          if (line.isEmpty() || line.startsWith("#")) {
            continue;
          }
          boolean negated = line.startsWith("!");
          String pattern =
              (negated ? line.substring(1) : line)
                  .strip()
                  .replaceAll("^/+", "")
                  .replaceAll("/+$", "");
          patterns.add(Pattern.compile(globToRegex(pattern)));
          exclude.add(!negated);
        }
      }
      return new DockerIgnore(patterns, exclude);
    }

    boolean excludes(String path) {
      if (path.equals(".")) {
        return false;
      }
      boolean excluded = false;
      for (int i = 0; i < patterns.size(); i++) {
        if (matchesSelfOrParent(patterns.get(i), path)) {
          excluded = exclude.get(i);
        }
      }
      return excluded;
    }

    private static boolean matchesSelfOrParent(Pattern pattern, String path) {
      String candidate = path;
      while (true) {
        if (pattern.matcher(candidate).matches()) {
          return true;
        }
        int slash = candidate.lastIndexOf('/');
        if (slash < 0) {
          return false;
        }
        candidate = candidate.substring(0, slash);
      }
    }

    private static String globToRegex(String glob) {
      StringBuilder re = new StringBuilder();
      for (int i = 0; i < glob.length(); i++) {
        char c = glob.charAt(i);
        if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
          boolean slash = i + 2 < glob.length() && glob.charAt(i + 2) == '/';
          re.append(slash ? "(?:.*/)?" : ".*");
          i += slash ? 2 : 1;
        } else if (c == '*') {
          re.append("[^/]*");
        } else if (c == '?') {
          re.append("[^/]");
        } else {
          re.append(Pattern.quote(String.valueOf(c)));
        }
      }
      return re.toString();
    }
  }

  // ---------------------------------------------------------------- processes and files

  private record Result(int exitCode, String output) {}

  private static Result run(List<String> command) throws InterruptedException {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      process.getOutputStream().close();
      byte[] out = process.getInputStream().readAllBytes();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return new Result(-1, "timed out");
      }
      return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new Result(-1, e.toString());
    }
  }

  private static Path repositoryRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("docker-compose.yml"))
          && Files.isRegularFile(dir.resolve("mvnw"))) {
        return dir;
      }
    }
    throw new AssertionError(
        "no docker-compose.yml beside mvnw above " + Path.of("").toAbsolutePath());
  }
}
