package io.swarmsched.registry.client;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * In-memory registries shared by everything in the JVM that names the same scope, selected with
 * {@code schema.registry.url=mock://<scope>} (as Confluent's MockSchemaRegistry). Tests should use
 * a scope of their own and {@link #dropScope(String)} it when done.
 */
public final class MockSchemaRegistry {
  /** URL scheme prefix that selects an in-memory registry. */
  public static final String MOCK_URL_PREFIX = "mock://";

  private static final ConcurrentMap<String, InMemorySchemaRegistryClient> SCOPES =
      new ConcurrentHashMap<>();

  private MockSchemaRegistry() {}

  /** The registry of {@code scope}, created on first use. */
  public static InMemorySchemaRegistryClient getClientForScope(String scope) {
    return SCOPES.computeIfAbsent(scope, s -> new InMemorySchemaRegistryClient());
  }

  /** Forgets the registry of {@code scope}; the next {@link #getClientForScope} starts empty. */
  public static void dropScope(String scope) {
    SCOPES.remove(scope);
  }

  /** The scope named by a {@code mock://scope} URL. */
  public static String scopeOf(String url) {
    if (!url.startsWith(MOCK_URL_PREFIX)) {
      throw new IllegalArgumentException("Not a mock:// URL: " + url);
    }
    return url.substring(MOCK_URL_PREFIX.length());
  }
}
