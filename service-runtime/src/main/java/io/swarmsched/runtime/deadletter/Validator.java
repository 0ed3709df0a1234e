package io.swarmsched.runtime.deadletter;

import java.util.Optional;

/**
 * Checks a decoded record. Returns the problem in words ("upload_bandwidth: -5 is negative"), or
 * empty when the record is acceptable. A validator that throws is treated as a failed validation
 * with the exception's message, never as a crash of the stream.
 */
@FunctionalInterface
public interface Validator<V> {
  Optional<String> problem(String key, V value);

  static <V> Validator<V> acceptAll() {
    return (key, value) -> Optional.empty();
  }
}
