package io.swarmsched.bench.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceProcessesTest {

  @Test
  void aServiceStartsAsAJvmWithTheImageFlagsItsMainClassAndSettingsAsFlags() {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("swarm.http.port", "0");
    List<String> cmd = ServiceProcesses.command("io.example.Main", settings);
    assertTrue(cmd.get(0).endsWith("java"), cmd.toString());
    assertEquals(ServiceProcesses.IMAGE_JVM_FLAGS, cmd.subList(1, 3));
    assertEquals("-cp", cmd.get(3));
    assertEquals("io.example.Main", cmd.get(5));
    assertEquals("--swarm.http.port=0", cmd.get(6));
  }
}
