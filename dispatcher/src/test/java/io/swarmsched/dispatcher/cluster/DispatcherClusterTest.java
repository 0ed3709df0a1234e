package io.swarmsched.dispatcher.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmsched.dispatcher.DispatcherApp;
import io.swarmsched.dispatcher.topology.DispatcherTopology;
import io.swarmsched.testing.Await;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Two dispatcher instances on the embedded cluster: the HTTP API answered by either, and the host
 * index rebuilt after a restart.
 */
class DispatcherClusterTest extends DispatcherClusterTestBase {
  @Test
  void httpApiSchedulesAndAnswersFromAnyInstance() throws Exception {
    provision(null);
    publishHosts(4);
    DispatcherApp a = startInstance("a");
    DispatcherApp b = startInstance("b");
    a.awaitRunning(AWAIT);
    b.awaitRunning(AWAIT);

    String task = run + "-http-task";
    HttpResponse<String> first =
        post(
            a,
            "{\"task_id\":\""
                + task
                + "\",\"peer_id\":\"p0\",\"host_id\":\""
                + run
                + "-h0\",\"url\":\"https://origin/x\"}",
            "?wait=60s");
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    JsonNode d0 = JSON.readTree(first.body());
    assertThat(d0.get("outcome").asText()).isEqualTo("BACK_TO_SOURCE");
    String generatedId = d0.get("request_id").asText();
    assertThat(generatedId).isNotBlank();

    HttpResponse<String> second =
        post(
            b,
            "{\"request_id\":\""
                + run
                + "-r1\",\"task_id\":\""
                + task
                + "\",\"peer_id\":\"p1\",\"host_id\":\""
                + run
                + "-h1\",\"url\":\"https://origin/x\"}",
            "?wait=60s");
    assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
    JsonNode d1 = JSON.readTree(second.body());
    assertThat(d1.get("outcome").asText()).isEqualTo("PARENTS");
    assertThat(d1.get("parents").get(0).get("peer_id").asText()).isEqualTo("p0");

    for (DispatcherApp app : List.of(a, b)) {
      HttpResponse<String> byId = get(app, "/api/v1/decisions/" + run + "-r1");
      assertThat(byId.statusCode()).as(byId.body()).isEqualTo(200);
      assertThat(JSON.readTree(byId.body()).get("decision_id").asText())
          .isEqualTo(d1.get("decision_id").asText());

      // the decision store answers at once, the task store as of the last commit (write-behind):
      // poll
      JsonNode view =
          Await.value(
              AWAIT,
              "the task view with both peers",
              () -> {
                try {
                  HttpResponse<String> taskView = get(app, "/api/v1/tasks/" + task);
                  if (taskView.statusCode() != 200) return Optional.empty();
                  JsonNode v = JSON.readTree(taskView.body());
                  return v.get("dag").get("nodes").size() == 2 ? Optional.of(v) : Optional.empty();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      assertThat(view.get("dag").get("nodes")).hasSize(2);
      assertThat(view.get("dag").get("edges").get(0).get("from").asText()).isEqualTo("p0");
      assertThat(view.get("dag").get("edges").get(0).get("to").asText()).isEqualTo("p1");
    }

    HttpResponse<String> bad =
        post(a, "{\"task_id\":\"" + task + "\",\"host_id\":\"h\",\"priority\":\"high\"}", "");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("priority");
    HttpResponse<String> missing =
        post(a, "{\"task_id\":\"" + task + "\",\"host_id\":\"h\",\"url\":\"u\"}", "");
    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(missing.body()).contains("peer_id");
    assertThat(get(a, "/api/v1/decisions/" + run + "-never").statusCode()).isEqualTo(404);
    assertThat(get(b, "/api/v1/tasks/" + run + "-no-such-task").statusCode()).isEqualTo(404);
  }

  /**
   * The host index is rebuilt at start-up both from the global store's local checkpoint (which
   * Streams does not replay through the global processor) and from the topic (a fresh state
   * directory): in each case the second peer of a new task gets the first as parent, which needs
   * both peers' hosts.
   */
  @Test
  void decisionsSeeHostsAfterARestartFromTheCheckpointAndFromScratch() throws Exception {
    provision(null);
    publishHosts(2);
    Path stateDir = Files.createTempDirectory("dispatcher-restart");

    DispatcherApp first = startInstance("restart-1", stateDir);
    first.awaitRunning(AWAIT);
    assertSecondPeerGetsTheFirstAsParent(first, "before");
    first.close();
    apps.remove(first);
    try (var files = Files.walk(stateDir)) {
      // Kafka 4.3 keeps a global store's offset in the store itself: the restart resumes from there
      // and does not
      // replay the earlier records through the global processor
      assertThat(
              files.anyMatch(
                  f -> f.endsWith(Path.of("global", "rocksdb", DispatcherTopology.HOSTS_STORE))))
          .as(
              "the hosts global store is on disk, so the restart resumes it rather than rebuilding it")
          .isTrue();
    }

    DispatcherApp fromCheckpoint = startInstance("restart-2", stateDir);
    fromCheckpoint.awaitRunning(AWAIT);
    assertSecondPeerGetsTheFirstAsParent(fromCheckpoint, "from-checkpoint");
    fromCheckpoint.close();
    apps.remove(fromCheckpoint);

    DispatcherApp fromScratch =
        startInstance("restart-3", Files.createTempDirectory("dispatcher-restart-fresh"));
    fromScratch.awaitRunning(AWAIT);
    assertSecondPeerGetsTheFirstAsParent(fromScratch, "from-scratch");
  }

  private void assertSecondPeerGetsTheFirstAsParent(DispatcherApp app, String phase)
      throws Exception {
    String task = run + "-restart-" + phase;
    HttpResponse<String> first =
        post(
            app,
            "{\"task_id\":\""
                + task
                + "\",\"peer_id\":\"p0\",\"host_id\":\""
                + run
                + "-h0\",\"url\":\"https://origin/x\"}",
            "?wait=60s");
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    assertThat(JSON.readTree(first.body()).get("outcome").asText())
        .as(phase)
        .isEqualTo("BACK_TO_SOURCE");
    HttpResponse<String> second =
        post(
            app,
            "{\"task_id\":\""
                + task
                + "\",\"peer_id\":\"p1\",\"host_id\":\""
                + run
                + "-h1\",\"url\":\"https://origin/x\"}",
            "?wait=60s");
    assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
    JsonNode d = JSON.readTree(second.body());
    assertThat(d.get("outcome").asText()).as(phase + ": " + second.body()).isEqualTo("PARENTS");
    assertThat(d.get("parents").get(0).get("peer_id").asText()).isEqualTo("p0");
  }
}
