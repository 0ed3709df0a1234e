package io.swarmsched.registry.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;

/**
 * The registry's compatibility levels, checked with Avro's {@link SchemaCompatibility}. BACKWARD:
 * the new schema can read data written with the previous one; FORWARD: data written with the new
 * schema can be read with the previous one; FULL: both. The {@code _TRANSITIVE} forms check every
 * earlier version instead of only the latest.
 */
public enum CompatibilityLevel {
  NONE(false, false, false),
  BACKWARD(true, false, false),
  BACKWARD_TRANSITIVE(true, false, true),
  FORWARD(false, true, false),
  FORWARD_TRANSITIVE(false, true, true),
  FULL(true, true, false),
  FULL_TRANSITIVE(true, true, true);

  private final boolean backward;
  private final boolean forward;
  private final boolean transitive;

  CompatibilityLevel(boolean backward, boolean forward, boolean transitive) {
    this.backward = backward;
    this.forward = forward;
    this.transitive = transitive;
  }

  /** Parses a level name, case-insensitively; a clear error names the accepted values. */
  public static CompatibilityLevel parse(String name) {
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new RegistryException(
          422,
          RegistryException.INVALID_COMPATIBILITY_LEVEL,
          "Invalid compatibility level '" + name + "'; expected one of " + List.of(values()));
    }
  }

  /**
   * The incompatibilities of {@code candidate} against {@code previous} (oldest first) at this
   * level; empty when compatible.
   */
  public List<String> incompatibilities(Schema candidate, List<Schema> previous) {
    List<String> problems = new ArrayList<>();
    if (this == NONE || previous.isEmpty()) {
      return problems;
    }
    List<Schema> against = transitive ? previous : List.of(previous.get(previous.size() - 1));
    for (Schema old : against) {
      if (backward) {
        describe(
            SchemaCompatibility.checkReaderWriterCompatibility(candidate, old),
            candidate,
            "reading data written with an earlier schema",
            problems);
      }
      if (forward) {
        describe(
            SchemaCompatibility.checkReaderWriterCompatibility(old, candidate),
            old,
            "an earlier schema reading data written with the new one",
            problems);
      }
    }
    return problems;
  }

  /**
   * True when {@code candidate} is compatible with {@code previous} (oldest first) at this level.
   */
  public boolean isCompatible(Schema candidate, List<Schema> previous) {
    return incompatibilities(candidate, previous).isEmpty();
  }

  private static void describe(
      SchemaCompatibility.SchemaPairCompatibility result,
      Schema reader,
      String direction,
      List<String> out) {
    if (result.getType() == SchemaCompatibilityType.COMPATIBLE) {
      return;
    }
    for (SchemaCompatibility.Incompatibility i : result.getResult().getIncompatibilities()) {
      out.add(
          direction
              + ": "
              + i.getType()
              + " at "
              + fieldPath(reader, i.getLocation())
              + " "
              + i.getLocation()
              + " ("
              + i.getMessage()
              + ")");
    }
  }

  /**
   * The dotted field names a JSON-pointer location (/fields/1/type/...) designates in {@code
   * schema}.
   */
  static String fieldPath(Schema schema, String location) {
    List<String> names = new ArrayList<>();
    Schema current = schema;
    String[] tokens = location.split("/");
    try {
      for (int t = 0; t < tokens.length; t++) {
        String token = tokens[t];
        if (token.equals("fields")
            && t + 1 < tokens.length
            && current.getType() == Schema.Type.RECORD) {
          Schema.Field field = current.getFields().get(Integer.parseInt(tokens[++t]));
          names.add(field.name());
          current = field.schema();
        } else if (token.equals("items") && current.getType() == Schema.Type.ARRAY) {
          current = current.getElementType();
        } else if (token.equals("values") && current.getType() == Schema.Type.MAP) {
          current = current.getValueType();
        } else if (!token.isEmpty()
            && Character.isDigit(token.charAt(0))
            && current.getType() == Schema.Type.UNION) {
          current = current.getTypes().get(Integer.parseInt(token));
        }
      }
    } catch (RuntimeException e) {
      // a location this walk does not understand: the raw location still says where
    }
    return names.isEmpty() ? "(root)" : String.join(".", names);
  }
}
