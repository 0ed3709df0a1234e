package io.swarmsched.runtime.config;

import io.swarmsched.testing.EmbeddedKafka;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Settings of a service instance on the embedded broker, for tests. */
public final class LocalSettings {
  private LocalSettings() {}

  /**
   * The broker, a state directory, an instance id and an advertised HTTP address, plus {@code
   * extra} (key, value, key, value...).
   */
  public static Settings of(
      EmbeddedKafka kafka, Path stateDir, String instance, String advertised, String... extra) {
    Map<String, String> values = new HashMap<>();
    values.put(CommonKeys.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    values.put(CommonKeys.STATE_DIR, stateDir.toString());
    values.put(CommonKeys.INSTANCE_ID, instance);
    values.put(CommonKeys.HTTP_ADVERTISED, advertised);
    if (extra.length % 2 != 0) {
      throw new IllegalArgumentException("extra settings come in key, value pairs");
    }
    for (int i = 0; i < extra.length; i += 2) {
      values.put(extra[i], extra[i + 1]);
    }
    return Settings.of(values);
  }
}
