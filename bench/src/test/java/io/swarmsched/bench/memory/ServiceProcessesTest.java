package io.swarmsched.bench.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

  /** The services are measured with the heap docker-compose.yml gives them, not another. */
  @Test
  void theComposeFilesServiceFlagsAreTheOnesMeasured() throws Exception {
    String compose = Files.readString(Path.of("..", "docker-compose.yml"));
    Matcher m = Pattern.compile("JAVA_TOOL_OPTIONS: \"([^\"]*)\"").matcher(compose);
    int found = 0;
    while (m.find()) {
      assertEquals(String.join(" ", ServiceProcesses.COMPOSE_SERVICE_FLAGS), m.group(1));
      found++;
    }
    assertEquals(3, found, "ingest, scoring and the dispatcher each set JAVA_TOOL_OPTIONS");
  }
}
