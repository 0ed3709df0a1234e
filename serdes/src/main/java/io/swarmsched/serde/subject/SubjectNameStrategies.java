package io.swarmsched.serde.subject;

import java.lang.reflect.InvocationTargetException;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;

/** Resolves the strategy a {@code *.subject.name.strategy} value names. */
public final class SubjectNameStrategies {
  private SubjectNameStrategies() {}

  private static final Map<String, SubjectNameStrategy> BUILT_IN =
      Map.of(
          "TopicNameStrategy", new TopicNameStrategy(),
          "RecordNameStrategy", new RecordNameStrategy(),
          "TopicRecordNameStrategy", new TopicRecordNameStrategy());

  /**
   * Accepts a strategy instance, a {@link Class}, the simple name ({@code TopicNameStrategy}), our
   * class name, or Confluent's ({@code io.confluent.kafka.serializers.subject.TopicNameStrategy});
   * any other class name must implement {@link SubjectNameStrategy} and have a no-arg constructor.
   *
   * @param key the config key, named in the error
   */
  public static SubjectNameStrategy resolve(String key, Object value) {
    if (value == null) {
      return BUILT_IN.get("TopicNameStrategy");
    }
    if (value instanceof SubjectNameStrategy s) {
      return s;
    }
    String name = value instanceof Class<?> c ? c.getName() : value.toString().trim();
    String simple = name.substring(name.lastIndexOf('.') + 1);
    if (BUILT_IN.containsKey(simple)
        && (name.equals(simple)
            || name.startsWith("io.swarmsched.serde.subject.")
            || name.startsWith("io.confluent.kafka.serializers.subject."))) {
      return BUILT_IN.get(simple);
    }
    try {
      Class<?> cls =
          value instanceof Class<?> c
              ? c
              : Class.forName(name, true, Thread.currentThread().getContextClassLoader());
      if (!SubjectNameStrategy.class.isAssignableFrom(cls)) {
        throw new ConfigException(
            key, name, "does not implement " + SubjectNameStrategy.class.getName());
      }
      return (SubjectNameStrategy) cls.getDeclaredConstructor().newInstance();
    } catch (ClassNotFoundException e) {
      throw new ConfigException(
          key,
          name,
          "unknown subject name strategy; expected TopicNameStrategy, RecordNameStrategy or TopicRecordNameStrategy");
    } catch (ReflectiveOperationException e) {
      Throwable cause = e instanceof InvocationTargetException ite ? ite.getCause() : e;
      throw new ConfigException(key, name, "cannot be instantiated: " + cause);
    }
  }

  static String recordName(Schema schema) {
    if (schema.getType() != Schema.Type.RECORD
        && schema.getType() != Schema.Type.ENUM
        && schema.getType() != Schema.Type.FIXED) {
      throw new SerializationException(
          "Record-name subject strategies need a named schema (record, enum or fixed), got "
              + schema.getType());
    }
    return schema.getFullName();
  }
}
