package io.swarmsched.serde;

import io.swarmsched.registry.client.RegistryClientConfig;
import io.swarmsched.serde.subject.SubjectNameStrategies;
import io.swarmsched.serde.subject.SubjectNameStrategy;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * The serdes' configuration, with Confluent's key names so the same properties work for both. Built
 * from the map Kafka passes to {@code configure}; a wrong value fails fast with a {@link
 * ConfigException} naming the key.
 */
public final class SerdeConfig {
  /**
   * Registry URL(s), comma-separated; {@code mock://<scope>} selects an in-memory registry.
   * Required.
   */
  public static final String SCHEMA_REGISTRY_URL = RegistryClientConfig.SCHEMA_REGISTRY_URL;

  /** Register the record's schema when serializing (default true). */
  public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";

  /** With auto-registration off, write with the subject's latest schema (default false). */
  public static final String USE_LATEST_VERSION = "use.latest.version";

  /** {@code USER_INFO} (default) or {@code URL}. */
  public static final String BASIC_AUTH_CREDENTIALS_SOURCE =
      RegistryClientConfig.BASIC_AUTH_CREDENTIALS_SOURCE;

  /** {@code user:password} for HTTP basic auth. */
  public static final String BASIC_AUTH_USER_INFO = RegistryClientConfig.BASIC_AUTH_USER_INFO;

  /** {@code STATIC_TOKEN}: send {@code bearer.auth.token} as a bearer token. */
  public static final String BEARER_AUTH_CREDENTIALS_SOURCE =
      RegistryClientConfig.BEARER_AUTH_CREDENTIALS_SOURCE;

  public static final String BEARER_AUTH_TOKEN = RegistryClientConfig.BEARER_AUTH_TOKEN;

  public static final String KEY_SUBJECT_NAME_STRATEGY = "key.subject.name.strategy";
  public static final String VALUE_SUBJECT_NAME_STRATEGY = "value.subject.name.strategy";

  /** Deserialize to the generated SpecificRecord classes (default false: GenericRecord). */
  public static final String SPECIFIC_AVRO_READER = "specific.avro.reader";

  /**
   * Optional reader class for specific keys / values, instead of the class named by the writer
   * schema.
   */
  public static final String SPECIFIC_AVRO_KEY_TYPE = "specific.avro.key.type";

  public static final String SPECIFIC_AVRO_VALUE_TYPE = "specific.avro.value.type";

  /**
   * Most array and map items one deserialized value may hold (default {@value
   * AvroBounds#DEFAULT_MAX_ITEMS}).
   */
  public static final String MAX_ITEMS = "swarm.avro.max.items";

  // registry client settings, read by RestSchemaRegistryClient from the same map
  public static final String CONNECT_TIMEOUT_MS = RegistryClientConfig.CONNECT_TIMEOUT_MS;
  public static final String REQUEST_TIMEOUT_MS = RegistryClientConfig.REQUEST_TIMEOUT_MS;
  public static final String MAX_RETRIES = RegistryClientConfig.MAX_RETRIES;
  public static final String RETRIES_WAIT_MS = RegistryClientConfig.RETRIES_WAIT_MS;
  public static final String RETRIES_MAX_WAIT_MS = RegistryClientConfig.RETRIES_MAX_WAIT_MS;

  private final boolean autoRegister;
  private final boolean useLatestVersion;
  private final boolean specificReader;
  private final SubjectNameStrategy keyStrategy;
  private final SubjectNameStrategy valueStrategy;
  private final Class<?> specificKeyType;
  private final Class<?> specificValueType;
  private final long maxItems;

  public SerdeConfig(Map<String, ?> values) {
    RegistryClientConfig raw = new RegistryClientConfig(values);
    this.autoRegister = raw.bool(AUTO_REGISTER_SCHEMAS, true);
    this.useLatestVersion = raw.bool(USE_LATEST_VERSION, false);
    this.specificReader = raw.bool(SPECIFIC_AVRO_READER, false);
    this.keyStrategy =
        SubjectNameStrategies.resolve(
            KEY_SUBJECT_NAME_STRATEGY, values.get(KEY_SUBJECT_NAME_STRATEGY));
    this.valueStrategy =
        SubjectNameStrategies.resolve(
            VALUE_SUBJECT_NAME_STRATEGY, values.get(VALUE_SUBJECT_NAME_STRATEGY));
    this.specificKeyType = type(SPECIFIC_AVRO_KEY_TYPE, values.get(SPECIFIC_AVRO_KEY_TYPE));
    this.specificValueType = type(SPECIFIC_AVRO_VALUE_TYPE, values.get(SPECIFIC_AVRO_VALUE_TYPE));
    this.maxItems = positive(MAX_ITEMS, values.get(MAX_ITEMS), AvroBounds.DEFAULT_MAX_ITEMS);
  }

  public boolean autoRegister() {
    return autoRegister;
  }

  public boolean useLatestVersion() {
    return useLatestVersion;
  }

  public boolean specificReader() {
    return specificReader;
  }

  public SubjectNameStrategy subjectNameStrategy(boolean isKey) {
    return isKey ? keyStrategy : valueStrategy;
  }

  /** The configured specific reader class for keys or values, or null. */
  public Class<?> specificType(boolean isKey) {
    return isKey ? specificKeyType : specificValueType;
  }

  public long maxItems() {
    return maxItems;
  }

  private static long positive(String key, Object value, long dflt) {
    if (value == null || value.toString().isBlank()) {
      return dflt;
    }
    try {
      long n = Long.parseLong(value.toString().trim());
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ConfigException(key, value, "must be a positive whole number");
  }

  private static Class<?> type(String key, Object value) {
    if (value == null || value.toString().isBlank()) {
      return null;
    }
    if (value instanceof Class<?> c) {
      return checkSpecific(key, c);
    }
    try {
      return checkSpecific(
          key,
          Class.forName(
              value.toString().trim(), true, Thread.currentThread().getContextClassLoader()));
    } catch (ClassNotFoundException e) {
      throw new ConfigException(key, value, "class not found");
    }
  }

  private static Class<?> checkSpecific(String key, Class<?> c) {
    if (!org.apache.avro.specific.SpecificRecord.class.isAssignableFrom(c)) {
      throw new ConfigException(key, c.getName(), "is not a generated Avro SpecificRecord class");
    }
    return c;
  }
}
