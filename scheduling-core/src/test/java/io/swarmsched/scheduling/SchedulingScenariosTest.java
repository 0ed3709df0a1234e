package io.swarmsched.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.scheduling.resource.HostType;
import io.swarmsched.scheduling.resource.Liveness;
import io.swarmsched.scheduling.resource.PeerState;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Declarative scenarios in the manner of PD's scheduler tests: a named mock cluster and the parents
 * a policy must choose for peer "req" (on host h-req, IDC "hz", location "cn|zj|hz").
 */
class SchedulingScenariosTest {

  record Scenario(String name, Consumer<Fixture> cluster, List<String> expectedParents) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Scenario> scenarios() {
    return Stream.of(
        new Scenario(
            "hot spot: an idle remote parent beats a saturated local one",
            f -> {
              f.host("h-local", HostType.NORMAL, "hz", "cn|zj|hz");
              f.host("h-remote", HostType.NORMAL, "sh", "us|ca");
              f.peer("local", "h-local", PeerState.SUCCEEDED);
              f.peer("remote", "h-remote", PeerState.SUCCEEDED);
              f.score("h-local", 0.1, 0); // 0.2 + 0.1 + 0.06 + 0.05 = 0.41
              f.score("h-remote", 1.0, 0); // 0 + 0 + 0.6 + 0.05 = 0.65
            },
            List.of("remote", "local")),
        new Scenario(
            "affinity: at equal load the same IDC and location win",
            f -> {
              f.host("h-near", HostType.NORMAL, "HZ", "cn|zj|hz");
              f.host("h-mid", HostType.NORMAL, "sh", "cn|zj|nb");
              f.host("h-far", HostType.NORMAL, "sh", "us");
              f.peer("near", "h-near", PeerState.SUCCEEDED);
              f.peer("mid", "h-mid", PeerState.SUCCEEDED);
              f.peer("far", "h-far", PeerState.SUCCEEDED);
              List.of("h-near", "h-mid", "h-far").forEach(h -> f.score(h, 0.5, 0));
            },
            List.of("near", "mid", "far")),
        new Scenario(
            "seeds: a downloading seed is preferred, a finished one protected",
            f -> {
              f.host("h-s1", HostType.SUPER_SEED, "x", "");
              f.host("h-s2", HostType.SUPER_SEED, "x", "");
              f.host("h-n", HostType.NORMAL, "x", "");
              f.peer("seed-running", "h-s1", PeerState.RUNNING);
              f.peer("seed-done", "h-s2", PeerState.SUCCEEDED);
              f.peer("normal", "h-n", PeerState.SUCCEEDED);
              List.of("h-s1", "h-s2", "h-n").forEach(h -> f.score(h, 0.5, 0));
            },
            List.of("seed-running", "normal", "seed-done")),
        new Scenario(
            "liveness: suspicious and offline hosts get no children",
            f -> {
              f.host("h-ok");
              f.put(f.host("h-sus").withLiveness(Liveness.SUSPICIOUS));
              f.put(f.host("h-off").withLiveness(Liveness.OFFLINE));
              f.peer("ok", "h-ok", PeerState.SUCCEEDED);
              f.peer("sus", "h-sus", PeerState.SUCCEEDED);
              f.peer("off", "h-off", PeerState.SUCCEEDED);
            },
            List.of("ok")),
        new Scenario(
            "dag: the requester's own children are never its parents",
            f -> {
              f.host("h-kid");
              f.host("h-src");
              f.peer("src", "h-src", PeerState.BACK_TO_SOURCE);
              f.peer("kid", "h-kid", PeerState.RUNNING);
              f.edge("src", "req");
              f.edge("req", "kid");
            },
            List.of("src")),
        new Scenario(
            "scale: five equal parents, only the top four by id",
            f -> {
              for (String id : List.of("e", "d", "c", "b", "a")) {
                f.host("h-" + id);
                f.peer(id, "h-" + id, PeerState.SUCCEEDED);
                f.score("h-" + id, 0.7, 0);
              }
            },
            List.of("a", "b", "c", "d")),
        new Scenario(
            "first download: nobody to give, empty selection",
            f -> {
              f.host("h-p");
              f.peer("peer", "h-p", PeerState.RUNNING);
            },
            List.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void scenario(Scenario s) {
    Fixture f = new Fixture();
    f.host("h-req", HostType.NORMAL, "hz", "cn|zj|hz");
    f.peer("req", "h-req", PeerState.RUNNING);
    s.cluster().accept(f);
    Selection sel = ParentSelector.defaults().select(f.request("r", "req", Set.of(), 1_000));
    assertThat(sel.parentPeerIds())
        .as(s.name() + " — " + sel.summary())
        .isEqualTo(s.expectedParents());
  }
}
