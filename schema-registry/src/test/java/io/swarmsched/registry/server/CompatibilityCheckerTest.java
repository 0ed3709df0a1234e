package io.swarmsched.registry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class CompatibilityCheckerTest {

  static Schema record(String fields) {
    return new Schema.Parser()
        .parse(
            "{\"type\":\"record\",\"name\":\"Host\",\"namespace\":\"t\",\"fields\":["
                + fields
                + "]}");
  }

  static final Schema V1 = record("{\"name\":\"id\",\"type\":\"string\"}");

  /** V1 plus a field with a default: compatible both ways. */
  static final Schema V2_WITH_DEFAULT =
      record(
          "{\"name\":\"id\",\"type\":\"string\"},"
              + "{\"name\":\"load\",\"type\":\"double\",\"default\":0.0}");

  /** V1 plus a field without a default: new readers cannot read old data. */
  static final Schema V2_NO_DEFAULT =
      record("{\"name\":\"id\",\"type\":\"string\"}," + "{\"name\":\"load\",\"type\":\"double\"}");

  /** Drops "id": old readers cannot read new data (id has no default). */
  static final Schema WITHOUT_ID =
      record("{\"name\":\"load\",\"type\":\"double\",\"default\":0.0}");

  @Test
  void noneAcceptsAnything() {
    assertThat(CompatibilityChecker.check(Compatibility.NONE, WITHOUT_ID, List.of(V2_NO_DEFAULT)))
        .isEmpty();
  }

  @Test
  void firstVersionIsAlwaysCompatible() {
    for (Compatibility level : Compatibility.values()) {
      assertThat(CompatibilityChecker.check(level, V1, List.of())).isEmpty();
    }
  }

  @Test
  void backwardRejectsNewFieldWithoutDefaultAndNamesIt() {
    List<String> problems =
        CompatibilityChecker.check(Compatibility.BACKWARD, V2_NO_DEFAULT, List.of(V1));
    assertThat(problems).isNotEmpty();
    assertThat(problems.get(0)).contains("READER_FIELD_MISSING_DEFAULT_VALUE").contains("load");
    assertThat(CompatibilityChecker.check(Compatibility.BACKWARD, V2_WITH_DEFAULT, List.of(V1)))
        .isEmpty();
  }

  @Test
  void forwardChecksThatOldReadersReadNewData() {
    // adding a field without default is fine forward (old readers ignore it) ...
    assertThat(CompatibilityChecker.check(Compatibility.FORWARD, V2_NO_DEFAULT, List.of(V1)))
        .isEmpty();
    // ... removing a field the old reader needs is not
    assertThat(CompatibilityChecker.check(Compatibility.FORWARD, WITHOUT_ID, List.of(V1)))
        .isNotEmpty();
  }

  @Test
  void fullNeedsBothDirections() {
    assertThat(CompatibilityChecker.check(Compatibility.FULL, V2_WITH_DEFAULT, List.of(V1)))
        .isEmpty();
    assertThat(CompatibilityChecker.check(Compatibility.FULL, V2_NO_DEFAULT, List.of(V1)))
        .isNotEmpty();
    assertThat(CompatibilityChecker.check(Compatibility.FULL, WITHOUT_ID, List.of(V1)))
        .isNotEmpty();
  }

  @Test
  void nonTransitiveLevelsLookAtTheLatestVersionOnly() {
    // history: V1 (id only) then WITHOUT_ID (load only, default 0). Candidate: id + load, no
    // defaults.
    Schema candidate =
        record(
            "{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"load\",\"type\":\"double\",\"default\":0.0}");
    Schema idNoDefault =
        record(
            "{\"name\":\"x\",\"type\":\"int\",\"default\":1},{\"name\":\"id\",\"type\":\"string\"}");
    List<Schema> history = List.of(WITHOUT_ID, V1);
    // BACKWARD vs latest (V1): reads id, load defaults -> fine
    assertThat(CompatibilityChecker.check(Compatibility.BACKWARD, candidate, history)).isEmpty();
    // transitive also checks WITHOUT_ID, which has no "id" and the candidate's id has no default
    assertThat(CompatibilityChecker.check(Compatibility.BACKWARD_TRANSITIVE, candidate, history))
        .isNotEmpty();
    assertThat(
            CompatibilityChecker.check(Compatibility.FORWARD, idNoDefault, List.of(WITHOUT_ID, V1)))
        .isEmpty();
    assertThat(
            CompatibilityChecker.check(
                Compatibility.FORWARD_TRANSITIVE, idNoDefault, List.of(V2_NO_DEFAULT, V1)))
        .isNotEmpty();
    assertThat(CompatibilityChecker.check(Compatibility.FULL, candidate, history)).isEmpty();
    assertThat(CompatibilityChecker.check(Compatibility.FULL_TRANSITIVE, candidate, history))
        .isNotEmpty();
  }

  @Test
  void levelsParseCaseInsensitivelyAndRejectUnknownNames() {
    assertThat(Compatibility.parse("full_transitive")).contains(Compatibility.FULL_TRANSITIVE);
    assertThat(Compatibility.parse("sideways")).isEmpty();
    assertThat(Compatibility.parse(null)).isEmpty();
  }
}
