package io.swarmsched.registry.server;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/**
 * Checks a candidate schema against earlier versions with Avro's {@link SchemaCompatibility}, the
 * way Confluent's registry does: BACKWARD means the new schema reads what the old ones wrote,
 * FORWARD the reverse, FULL both; non-transitive levels look at the latest version only.
 */
public final class CompatibilityChecker {

  private CompatibilityChecker() {}

  /**
   * @param previous earlier live versions, oldest first (may be empty)
   * @return human-readable incompatibilities; empty when compatible
   */
  public static List<String> check(Compatibility level, Schema candidate, List<Schema> previous) {
    List<String> messages = new ArrayList<>();
    if (level == Compatibility.NONE || previous.isEmpty()) {
      return messages;
    }
    List<Schema> against = level.transitive ? previous : List.of(previous.get(previous.size() - 1));
    for (Schema old : against) {
      if (level.backward) {
        describe(
            SchemaCompatibility.checkReaderWriterCompatibility(candidate, old),
            "BACKWARD",
            "the new schema cannot read data written with an earlier one",
            messages);
      }
      if (level.forward) {
        describe(
            SchemaCompatibility.checkReaderWriterCompatibility(old, candidate),
            "FORWARD",
            "an earlier schema cannot read data written with the new one",
            messages);
      }
    }
    return messages;
  }

  private static void describe(
      SchemaPairCompatibility pair, String direction, String summary, List<String> messages) {
    if (pair.getType() == SchemaCompatibilityType.COMPATIBLE) {
      return;
    }
    List<Incompatibility> incompatibilities = pair.getResult().getIncompatibilities();
    if (incompatibilities.isEmpty()) {
      messages.add(direction + ": " + summary + " (" + pair.getDescription() + ")");
      return;
    }
    for (Incompatibility incompatibility : incompatibilities) {
      messages.add(
          String.format(
              "{errorType:'%s', description:'%s', location:'%s'} (%s: %s)",
              incompatibility.getType(),
              incompatibility.getMessage(),
              incompatibility.getLocation(),
              direction,
              summary));
    }
  }
}
