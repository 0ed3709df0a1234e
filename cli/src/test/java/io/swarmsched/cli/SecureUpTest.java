package io.swarmsched.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swarmsched.agent.AgentApp;
import io.swarmsched.agent.download.DownloadProgress;
import io.swarmsched.agent.download.DownloadRequest;
import io.swarmsched.agent.download.DownloadResult;
import io.swarmsched.agent.origin.OriginServer;
import io.swarmsched.runtime.http.HttpAuth;
import io.swarmsched.swarm.LocalSwarm;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code up --bind 0.0.0.0} as the issue asks: secured (also for clients on this machine), HTTP
 * writes need a token, and an agent started with the printed join command joins and downloads.
 */
class SecureUpTest {
  @TempDir Path dir;

  @Test
  void bindingEverywhereSecuresKafkaAndHttpAndThePrintedJoinCommandWorks() throws Exception {
    NetworkOptions options = new NetworkOptions();
    options.bind = "0.0.0.0";
    LocalSwarm.Network network = options.network();
    assertThat(network.secure()).isTrue();

    Path originRoot = Files.createDirectories(dir.resolve("origin"));
    byte[] content = new byte[3 * 1024 * 1024 + 17];
    new Random(18).nextBytes(content);
    Files.write(originRoot.resolve("file.bin"), content);

    try (LocalSwarm swarm =
            LocalSwarm.start(
                LocalSwarm.Options.ephemeral(dir.resolve("data")).withNetwork(network), s -> {});
        OriginServer origin = OriginServer.start(originRoot, "127.0.0.1", 0, true)) {
      // Kafka: a client without credentials is refused, also on localhost
      String port = swarm.bootstrapServers().substring(swarm.bootstrapServers().lastIndexOf(':'));
      try (Admin anonymous =
          Admin.create(
              Map.of(
                  "bootstrap.servers", "localhost" + port,
                  "request.timeout.ms", 5000,
                  "default.api.timeout.ms", 8000))) {
        assertThatThrownBy(
                () ->
                    anonymous
                        .describeCluster(new DescribeClusterOptions().timeoutMs(8000))
                        .nodes()
                        .get(20, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class);
      }

      // HTTP: a write without a token gets 401; with the CLI's token it reaches the handler
      HttpClient http = HttpClient.newHttpClient();
      String heartbeat = swarm.ingestUrl() + "/api/v1/heartbeat";
      assertThat(post(http, heartbeat, null).statusCode()).isEqualTo(401);
      String token =
          swarm
              .cluster()
              .security()
              .orElseThrow()
              .token(io.swarmsched.cluster.ClusterSecurity.ADMIN);
      assertThat(post(http, heartbeat, token).statusCode()).isNotEqualTo(401);
      assertThat(post(http, swarm.dispatcherUrl() + "/api/v1/schedule", null).statusCode())
          .isEqualTo(401);

      // schema registry: registering needs a token (the services and the agent below register
      // theirs with their own, or they could not write a record); reads stay open
      String register = swarm.registryUrl() + "/subjects/secure-up-probe-value/versions";
      String schema = "{\"schema\":\"\\\"string\\\"\"}";
      assertThat(post(http, register, null, schema).statusCode()).isEqualTo(401);
      String agentToken = swarm.agentSettings("remote-1").get(HttpAuth.CLIENT_TOKEN);
      HttpResponse<String> registered = post(http, register, agentToken, schema);
      assertThat(registered.statusCode()).as(registered.body()).isEqualTo(200);
      assertThat(
              http.send(
                      HttpRequest.newBuilder(URI.create(swarm.registryUrl() + "/subjects")).build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body())
          .contains("secure-up-probe-value");

      // an operator binds a host key on the secured cluster with the admin's client file
      Path pub = dir.resolve("operator-host.pub");
      Files.writeString(
          pub,
          java.util.Base64.getEncoder()
              .encodeToString(io.swarmsched.runtime.auth.HostKeyPair.generate().publicKey()));
      StringWriter bindErr = new StringWriter();
      int bound =
          Main.commandLine()
              .setErr(new PrintWriter(bindErr, true))
              .execute(
                  "hosts",
                  "bind",
                  "operator-host",
                  pub.toString(),
                  "-b",
                  swarm.bootstrapServers(),
                  "--registry",
                  swarm.registryUrl(),
                  "--config",
                  swarm.cluster().clientSettingsFile("admin").toString());
      assertThat(bound).as(bindErr.toString()).isZero();

      // the printed join command, run as it is (plus a data directory and no control port)
      StringWriter printed = new StringWriter();
      JoinInstructions.print(new PrintWriter(printed, true), swarm.cluster());
      List<String> command =
          JoinInstructions.command(swarm.cluster(), JoinInstructions.REMOTE_AGENT, "remote-1");
      assertThat(printed.toString()).contains(String.join(" ", command));
      assertThat(command.get(2)).isEqualTo("--config");
      assertThat(Files.readString(Path.of(command.get(3))))
          .contains("SASL_SSL")
          .contains("BEGIN CERTIFICATE")
          .contains(HttpAuth.CLIENT_TOKEN);
      List<String> args = new ArrayList<>(command.subList(1, command.size()));
      args.add("--swarm.agent.data.dir=" + dir.resolve("agent"));
      args.add("--swarm.agent.control.port=-1");
      AgentCommand agentCommand =
          (AgentCommand)
              Main.commandLine()
                  .parseArgs(args.toArray(String[]::new))
                  .subcommand()
                  .commandSpec()
                  .userObject();
      agentCommand.environment = Map.of();
      try (AgentApp agent = (AgentApp) agentCommand.startService()) {
        DownloadResult result =
            agent
                .agent()
                .download(
                    DownloadRequest.of(origin.url("file.bin"), dir.resolve("downloaded.bin")),
                    new DownloadProgress())
                .get(3, TimeUnit.MINUTES);
        assertThat(Files.readAllBytes(result.path())).isEqualTo(content);
      }
    }
  }

  private static HttpResponse<String> post(HttpClient http, String url, String token)
      throws Exception {
    return post(http, url, token, "{}");
  }

  private static HttpResponse<String> post(HttpClient http, String url, String token, String body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
