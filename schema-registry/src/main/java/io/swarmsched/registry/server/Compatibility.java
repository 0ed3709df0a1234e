package io.swarmsched.registry.server;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** Confluent's compatibility levels. BACKWARD is the registry-wide default. */
public enum Compatibility {
  NONE(false, false, false),
  BACKWARD(true, false, false),
  BACKWARD_TRANSITIVE(true, false, true),
  FORWARD(false, true, false),
  FORWARD_TRANSITIVE(false, true, true),
  FULL(true, true, false),
  FULL_TRANSITIVE(true, true, true);

  public static final Compatibility DEFAULT = BACKWARD;

  /** The new schema must read data written with the old ones. */
  final boolean backward;

  /** The old schemas must read data written with the new one. */
  final boolean forward;

  /** Checked against every live version, not only the latest. */
  final boolean transitive;

  Compatibility(boolean backward, boolean forward, boolean transitive) {
    this.backward = backward;
    this.forward = forward;
    this.transitive = transitive;
  }

  public boolean transitive() {
    return transitive;
  }

  /** Parses a level case-insensitively; empty when the text names no level. */
  public static Optional<Compatibility> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(valueOf(text.trim().toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  static String validNames() {
    return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
  }
}
