package io.swarmsched.registry.client;

import java.util.List;
import java.util.Map;

/** Builds the registry client that a configuration names. */
public final class SchemaRegistryClients {
  private SchemaRegistryClients() {}

  /**
   * {@code schema.registry.url=mock://scope} gives the shared in-memory registry of that scope; one
   * or more http(s) URLs give a {@link RestSchemaRegistryClient} configured from the same map.
   */
  public static SchemaRegistryClient fromConfig(Map<String, ?> config) {
    List<String> urls = new RegistryClientConfig(config).urls();
    if (urls.get(0).startsWith(MockSchemaRegistry.MOCK_URL_PREFIX)) {
      return MockSchemaRegistry.getClientForScope(MockSchemaRegistry.scopeOf(urls.get(0)));
    }
    return new RestSchemaRegistryClient(urls, config);
  }
}
