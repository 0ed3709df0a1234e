package io.swarmsched.bench.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ServiceProcessesTest {

  @Test
  void aServiceStartsAsAJvmWithTheDeployedFlagsItsMainClassAndSettingsAsFlags() {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("swarm.http.port", "0");
    List<String> cmd = ServiceProcesses.command("io.example.Main", settings);
    assertTrue(cmd.get(0).endsWith("java"), cmd.toString());
    List<String> flags = new ArrayList<>(ServiceProcesses.IMAGE_JVM_FLAGS);
    flags.addAll(ServiceProcesses.COMPOSE_SERVICE_FLAGS);
    assertEquals(flags, cmd.subList(1, 1 + flags.size()));
    int cp = 1 + flags.size();
    assertEquals("-cp", cmd.get(cp));
    assertEquals("io.example.Main", cmd.get(cp + 2));
    assertEquals("--swarm.http.port=0", cmd.get(cp + 3));
  }

  /** The values docker-compose.yml gives {@code key} (an environment variable), in order. */
  private static List<String> composeValues(String key) throws Exception {
    String compose = Files.readString(Path.of("..", "docker-compose.yml"));
    Matcher m = Pattern.compile(key + ": \"([^\"]*)\"").matcher(compose);
    List<String> values = new ArrayList<>();
    while (m.find()) {
      values.add(m.group(1));
    }
    return values;
  }

  /** The services are measured with the heap docker-compose.yml gives them, not another. */
  @Test
  void theComposeFilesServiceFlagsAreTheOnesMeasured() throws Exception {
    // ingest, scoring and the dispatcher each set JAVA_TOOL_OPTIONS
    assertEquals(
        java.util.Collections.nCopies(3, String.join(" ", ServiceProcesses.COMPOSE_SERVICE_FLAGS)),
        composeValues("JAVA_TOOL_OPTIONS"));
  }

  /** ... and with the environment it gives them. */
  @Test
  void theComposeFilesServiceEnvironmentIsTheOneMeasured() throws Exception {
    // ingest, scoring and the dispatcher each set MALLOC_ARENA_MAX
    assertEquals(
        java.util.Collections.nCopies(
            3, ServiceProcesses.COMPOSE_SERVICE_ENV.get("MALLOC_ARENA_MAX")),
        composeValues("MALLOC_ARENA_MAX"));
    assertEquals(ServiceProcesses.COMPOSE_SERVICE_ENV, ServiceProcesses.serviceEnv());
  }

  @Test
  void anotherEnvironmentIsGivenAsKeyValuePairsAndAnEmptyOneAddsNothing() {
    String before = System.getProperty("bench.service.env");
    try {
      System.setProperty("bench.service.env", "");
      assertEquals(Map.of(), ServiceProcesses.serviceEnv());
      System.setProperty("bench.service.env", "MALLOC_ARENA_MAX=4  X=y");
      assertEquals(Map.of("MALLOC_ARENA_MAX", "4", "X", "y"), ServiceProcesses.serviceEnv());
      System.setProperty("bench.service.env", "MALLOC_ARENA_MAX");
      assertThrows(IllegalArgumentException.class, ServiceProcesses::serviceEnv);
    } finally {
      if (before == null) System.clearProperty("bench.service.env");
      else System.setProperty("bench.service.env", before);
    }
  }
}
