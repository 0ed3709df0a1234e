package io.swarmsched.topics;

import io.swarmsched.registry.client.CompatibilityLevel;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;

/**
 * The schema versions that have been released, kept as self-contained schemas in {@code
 * src/main/resources/released/<RecordName>/v<N>.avsc} (N = 1, 2, ... without gaps). A current
 * schema must be able to read data written with every one of them (BACKWARD, transitively), because
 * such data may still sit in a topic. To release a new version, copy the current schema,
 * self-contained, to the next {@code vN.avsc}.
 */
public final class ReleasedSchemas {
  /** Classpath folder of the released versions. */
  public static final String RESOURCE_ROOT = "released/";

  private ReleasedSchemas() {}

  /** The released versions of the record with simple name {@code recordName}, oldest first. */
  public static List<Schema> of(String recordName) {
    List<Schema> versions = new ArrayList<>();
    for (int v = 1; ; v++) {
      String path = RESOURCE_ROOT + recordName + "/v" + v + ".avsc";
      try (InputStream in = ReleasedSchemas.class.getClassLoader().getResourceAsStream(path)) {
        if (in == null) {
          return versions;
        }
        versions.add(
            new Schema.Parser().parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read released schema " + path, e);
      }
    }
  }

  /**
   * Why {@code current} cannot read data written with each of {@code released}; empty when it is
   * BACKWARD compatible with all of them.
   */
  public static List<String> backwardIncompatibilities(Schema current, List<Schema> released) {
    return CompatibilityLevel.BACKWARD_TRANSITIVE.incompatibilities(current, released);
  }
}
