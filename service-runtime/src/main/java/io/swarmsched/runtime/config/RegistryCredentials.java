package io.swarmsched.runtime.config;

import io.swarmsched.registry.client.RegistryClientConfig;
import java.util.HashMap;
import java.util.Map;

/**
 * What a process sends to the schema registry to register schemas: its swarmsched HTTP token
 * ({@code swarm.http.token}) as a bearer token, in the registry client's Confluent keys ({@code
 * bearer.auth.credentials.source=STATIC_TOKEN}, {@code bearer.auth.token}). A secured registry
 * refuses registrations without it (docs/design.md, security); reads need none.
 *
 * @param token the bearer token; empty = send none (an open registry)
 */
public record RegistryCredentials(String token) {

  public static final RegistryCredentials NONE = new RegistryCredentials("");

  public RegistryCredentials {
    token = token == null ? "" : token.strip();
  }

  /** From {@code swarm.http.token}; {@link #NONE} without it. */
  public static RegistryCredentials from(Settings settings) {
    return settings.optional(CommonKeys.HTTP_TOKEN).map(RegistryCredentials::new).orElse(NONE);
  }

  /** The serde/registry-client keys that send the token (empty map for none). */
  public Map<String, String> serdeKeys() {
    if (token.isEmpty()) {
      return Map.of();
    }
    return Map.of(
        RegistryClientConfig.BEARER_AUTH_CREDENTIALS_SOURCE,
        RegistryClientConfig.STATIC_TOKEN,
        RegistryClientConfig.BEARER_AUTH_TOKEN,
        token);
  }

  /** {@code schema.registry.url} and {@link #serdeKeys()}. */
  public Map<String, String> serdeConfig(String registryUrl) {
    Map<String, String> m = new HashMap<>(serdeKeys());
    m.put(RegistryClientConfig.SCHEMA_REGISTRY_URL, registryUrl);
    return Map.copyOf(m);
  }

  /**
   * {@link #serdeConfig} with the registry URL of {@code settings} ({@code
   * swarm.schema.registry.url}).
   */
  public static Map<String, String> serdeConfig(Settings settings) {
    return from(settings)
        .serdeConfig(
            settings.string(
                CommonKeys.SCHEMA_REGISTRY_URL,
                CommonKeys.DEFAULTS.get(CommonKeys.SCHEMA_REGISTRY_URL)));
  }

  /** Never the token: configs holding this are logged and recorded. */
  @Override
  public String toString() {
    return token.isEmpty() ? "none" : "bearer token (hidden)";
  }
}
