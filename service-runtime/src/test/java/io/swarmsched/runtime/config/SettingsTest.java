package io.swarmsched.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
  static final String KEY = "swarm.test.value";

  @TempDir Path dir;

  Path file(String content) throws IOException {
    Path file = dir.resolve("service.properties");
    Files.writeString(file, content);
    return file;
  }

  @Test
  void flagsBeatEnvironmentBeatFileBeatDefaults() throws IOException {
    Path file = file("swarm.a=file\nswarm.b=file\nswarm.c=file\n");
    Map<String, String> env = Map.of("SWARM_A", "env", "SWARM_B", "env");
    Map<String, String> defaults =
        Map.of(
            "swarm.a", "default", "swarm.b", "default", "swarm.c", "default", "swarm.d", "default");

    Settings settings =
        Settings.load(new String[] {"--config", file.toString(), "--swarm.a=flag"}, env, defaults);

    assertThat(settings.string("swarm.a")).isEqualTo("flag");
    assertThat(settings.string("swarm.b")).isEqualTo("env");
    assertThat(settings.string("swarm.c")).isEqualTo("file");
    assertThat(settings.string("swarm.d")).isEqualTo("default");
    assertThat(settings.origin("swarm.a")).contains("flag --swarm.a");
    assertThat(settings.origin("swarm.b")).contains("env SWARM_B");
    assertThat(settings.origin("swarm.c")).contains("file " + file);
  }

  @Test
  void commonDefaultsApplyWhenNothingElseIsGiven() {
    Settings settings = Settings.load(new String[0], Map.of(), Map.of());

    assertThat(settings.string(CommonKeys.BOOTSTRAP_SERVERS)).isEqualTo("localhost:9092");
    assertThat(settings.string(CommonKeys.SCHEMA_REGISTRY_URL)).isEqualTo("http://localhost:8081");
    assertThat(CommonKeys.processingGuarantee(settings)).isEqualTo(CommonKeys.EXACTLY_ONCE_V2);
    assertThat(CommonKeys.instanceId(settings)).isNotBlank();
  }

  @Test
  void exactlyOnceIsTheDefaultAlsoWithoutTheDefaultsLayer() {
    assertThat(CommonKeys.processingGuarantee(Settings.of(Map.of())))
        .isEqualTo(CommonKeys.EXACTLY_ONCE_V2);
    assertThat(
            CommonKeys.processingGuarantee(
                Settings.of(Map.of(CommonKeys.PROCESSING_GUARANTEE, "AT_LEAST_ONCE"))))
        .isEqualTo(CommonKeys.AT_LEAST_ONCE);
  }

  @Test
  void unknownKeysUnderAPrefixAreNamedWithTheirOrigin() {
    Settings settings =
        Settings.load(
            new String[] {"--swarm.svc.typo=1"}, Map.of("SWARM_SVC_KNOWN", "2"), Map.of());
    assertThat(settings.unknownKeys("swarm.svc.", List.of("swarm.svc.known")))
        .containsExactly("swarm.svc.typo (flag --swarm.svc.typo)");
  }

  @Test
  void aRenamedKeyGivesItsValueToTheNewKeyWithAWarning() {
    Settings settings =
        Settings.load(
            new String[] {"--swarm.old-name=7"},
            Map.of("SWARM_OTHER__OLD", "x"),
            Map.of("swarm.new.name", "1"));
    List<String> warnings = new ArrayList<>();
    Settings renamed =
        settings.withRenamedKeys(
            Map.of(
                "swarm.old-name",
                "swarm.new.name",
                "swarm.other-old",
                "swarm.other.new",
                "swarm.unused",
                "swarm.x"),
            warnings::add);

    assertThat(renamed.integer("swarm.new.name", 0)).isEqualTo(7);
    assertThat(renamed.origin("swarm.new.name"))
        .contains("flag --swarm.old-name, deprecated key swarm.old-name");
    assertThat(renamed.string("swarm.other.new")).isEqualTo("x");
    assertThat(renamed.optional("swarm.old-name")).isEmpty();
    assertThat(warnings)
        .hasSize(2)
        .allSatisfy(w -> assertThat(w).contains("is deprecated; use swarm."));

    Settings both = Settings.of(Map.of("swarm.old-name", "7", "swarm.new.name", "8"));
    List<String> ignored = new ArrayList<>();
    assertThat(
            both.withRenamedKeys(Map.of("swarm.old-name", "swarm.new.name"), ignored::add)
                .integer("swarm.new.name", 0))
        .isEqualTo(8);
    assertThat(ignored).singleElement().asString().contains("ignored");
  }

  @Test
  void configFileMayComeFromTheEnvironmentAndSetFlagsWork() throws IOException {
    Path file = file("swarm.bootstrap.servers=broker:29092\n");
    Settings settings =
        Settings.load(
            new String[] {"--set", "swarm.x=1", "--set=swarm.y=2", "positional"},
            Map.of("SWARM_CONFIG", file.toString()),
            Map.of());

    assertThat(settings.string(CommonKeys.BOOTSTRAP_SERVERS)).isEqualTo("broker:29092");
    assertThat(settings.integer("swarm.x", 0)).isEqualTo(1);
    assertThat(settings.integer("swarm.y", 0)).isEqualTo(2);
    assertThat(settings.unparsedArguments()).containsExactly("positional");
    assertThat(settings.optional("swarm.config")).isEmpty();
  }

  @Test
  void environmentNamesMapToKeys() {
    assertThat(Settings.envToKey("SWARM_BOOTSTRAP_SERVERS")).isEqualTo("swarm.bootstrap.servers");
    assertThat(Settings.envToKey("SWARM_HOST__TTL")).isEqualTo("swarm.host-ttl");
    assertThat(Settings.keyToEnv("swarm.host-ttl")).isEqualTo("SWARM_HOST__TTL");
  }

  @Test
  void missingConfigFileIsAClearError() {
    assertThatThrownBy(
            () ->
                Settings.load(
                    new String[] {"--config=/nonexistent/x.properties"}, Map.of(), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("/nonexistent/x.properties");
  }

  @Test
  void flagWithoutValueIsAClearError() {
    assertThatThrownBy(() -> Settings.load(new String[] {"--swarm.http.port"}, Map.of(), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("swarm.http.port")
        .hasMessageContaining("key=value");
  }

  @Test
  void typedGettersParse() {
    Settings settings =
        Settings.of(
            Map.of(
                "i",
                "42",
                "l",
                "9_000_000_000",
                "d",
                "0.25",
                "b",
                "yes",
                "t",
                "1m30s",
                "iso",
                "PT2S",
                "list",
                " gpu, cuda-12 ,,",
                "size",
                "64MiB",
                "e",
                "at_least_once"));

    assertThat(settings.integer("i", 0, 0, 100)).isEqualTo(42);
    assertThat(settings.longValue("l", 0)).isEqualTo(9_000_000_000L);
    assertThat(settings.decimal("d", 0, 0, 1)).isEqualTo(0.25);
    assertThat(settings.bool("b", false)).isTrue();
    assertThat(settings.duration("t", Duration.ZERO)).isEqualTo(Duration.ofSeconds(90));
    assertThat(settings.duration("iso", Duration.ZERO)).isEqualTo(Duration.ofSeconds(2));
    assertThat(settings.list("list", List.of())).containsExactly("gpu", "cuda-12");
    assertThat(settings.bytes("size", 0, 0, Long.MAX_VALUE)).isEqualTo(64L * 1024 * 1024);
    assertThat(settings.oneOf("e", null, "AT_LEAST_ONCE", "EXACTLY_ONCE_V2"))
        .isEqualTo("AT_LEAST_ONCE");
    assertThat(settings.integer("absent", 7)).isEqualTo(7);
    assertThat(settings.duration("absent", Duration.ofMillis(500)))
        .isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void everyBadValueNamesItsKey() {
    Settings settings = Settings.of(Map.of(KEY, "abc"));
    assertThatThrownBy(() -> settings.integer(KEY, 0))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(KEY + ": 'abc' is not a whole number");
    assertThatThrownBy(() -> settings.longValue(KEY, 0)).hasMessageStartingWith(KEY + ":");
    assertThatThrownBy(() -> settings.decimal(KEY, 0))
        .hasMessageStartingWith(KEY + ": 'abc' is not a number");
    assertThatThrownBy(() -> settings.bool(KEY, false))
        .hasMessageStartingWith(KEY + ": 'abc' is not a boolean");
    assertThatThrownBy(() -> settings.duration(KEY, Duration.ZERO))
        .hasMessageStartingWith(KEY + ": 'abc' is not a duration");
    assertThatThrownBy(() -> settings.bytes(KEY, 0, 0, 10))
        .hasMessageStartingWith(KEY + ": 'abc' is not a size");
    assertThatThrownBy(() -> settings.oneOf(KEY, "x", "x", "y"))
        .hasMessageStartingWith(KEY + ": 'abc' is not one of x, y");
    assertThatThrownBy(() -> settings.string("swarm.required"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("swarm.required: is required")
        .hasMessageContaining("SWARM_REQUIRED");
    assertThat(catchKey(() -> settings.integer(KEY, 0))).isEqualTo(KEY);
  }

  @Test
  void outOfRangeValuesNameKeyRangeAndOrigin() {
    Settings settings =
        Settings.load(
            new String[] {"--swarm.http.port=70000", "--swarm.w=1.5", "--swarm.t=-1s"},
            Map.of(),
            Map.of());

    assertThatThrownBy(() -> settings.integer(CommonKeys.HTTP_PORT, 8080, 0, 65535))
        .hasMessage("swarm.http.port: '70000' is outside [0, 65535] (from flag --swarm.http.port)");
    assertThatThrownBy(() -> settings.decimal("swarm.w", 0.5, 0, 1))
        .hasMessageStartingWith("swarm.w: '1.5' is outside");
    assertThatThrownBy(() -> settings.duration("swarm.t", Duration.ZERO))
        .hasMessageStartingWith("swarm.t: '-1s' is not a duration");
  }

  @Test
  void invalidProcessingGuaranteeIsRefused() {
    Settings settings = Settings.of(Map.of(CommonKeys.PROCESSING_GUARANTEE, "exactly_once"));
    assertThatThrownBy(() -> CommonKeys.processingGuarantee(settings))
        .hasMessageStartingWith(
            "swarm.processing.guarantee: 'exactly_once' is not one of at_least_once, exactly_once_v2");
  }

  @Test
  void prefixSelectsPassThroughSettings() {
    Settings settings =
        Settings.of(Map.of("swarm.streams.num.standby.replicas", "1", "swarm.other", "x"));
    assertThat(settings.withPrefix(CommonKeys.STREAMS_PREFIX))
        .containsExactly(Map.entry("num.standby.replicas", "1"));
  }

  private static String catchKey(Runnable r) {
    try {
      r.run();
      return null;
    } catch (ConfigException e) {
      return e.key();
    }
  }
}
