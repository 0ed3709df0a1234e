package io.swarmsched.runtime.state;

import java.util.Map;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * Builds a {@link WriteBehindStore} around the store another builder makes: every option (caching,
 * logging) goes to the inner store, whose name and changelog the wrapper keeps.
 */
final class WriteBehindStoreBuilder<V> implements StoreBuilder<KeyValueStore<String, V>> {
  private final StoreBuilder<KeyValueStore<String, V>> inner;
  private final int maxEntries;

  WriteBehindStoreBuilder(StoreBuilder<KeyValueStore<String, V>> inner, int maxEntries) {
    this.inner = inner;
    this.maxEntries = maxEntries;
  }

  @Override
  public StoreBuilder<KeyValueStore<String, V>> withCachingEnabled() {
    inner.withCachingEnabled();
    return this;
  }

  @Override
  public StoreBuilder<KeyValueStore<String, V>> withCachingDisabled() {
    inner.withCachingDisabled();
    return this;
  }

  @Override
  public StoreBuilder<KeyValueStore<String, V>> withLoggingEnabled(Map<String, String> config) {
    inner.withLoggingEnabled(config);
    return this;
  }

  @Override
  public StoreBuilder<KeyValueStore<String, V>> withLoggingDisabled() {
    inner.withLoggingDisabled();
    return this;
  }

  @Override
  public KeyValueStore<String, V> build() {
    return new WriteBehindStore<>(inner.build(), maxEntries);
  }

  @Override
  public Map<String, String> logConfig() {
    return inner.logConfig();
  }

  @Override
  public boolean loggingEnabled() {
    return inner.loggingEnabled();
  }

  @Override
  public String name() {
    return inner.name();
  }
}
