package io.swarmsched.replay;

import io.swarmsched.serde.WireFormat;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;

/**
 * Decodes recorded values with their writer schema (from the recording, so no registry is needed)
 * into the current classes.
 */
final class RecordDecoder {
  private final Map<Integer, Schema> writers;
  private final Map<String, SpecificDatumReader<?>> readers = new HashMap<>();
  private BinaryDecoder reuse;

  RecordDecoder(Map<Integer, Schema> writers) {
    this.writers = writers;
  }

  @SuppressWarnings("unchecked")
  <T extends SpecificRecord> T decode(RecordedRecord r, Class<T> type) {
    byte[] v = r.value();
    if (v == null) throw new IllegalArgumentException("no value (a tombstone)");
    if (v.length < WireFormat.HEADER_SIZE || v[0] != WireFormat.MAGIC_BYTE) {
      throw new IllegalArgumentException(WireFormat.UNKNOWN_MAGIC_BYTE);
    }
    Schema writer = writers.get(r.schemaId());
    if (writer == null) {
      throw new IllegalArgumentException(
          WireFormat.UNKNOWN_SCHEMA_ID + " " + r.schemaId() + " (not in the recording)");
    }
    SpecificDatumReader<T> reader =
        (SpecificDatumReader<T>)
            readers.computeIfAbsent(
                r.schemaId() + "/" + type.getName(),
                k -> {
                  SpecificData model = SpecificData.getForClass(type);
                  return new SpecificDatumReader<T>(writer, model.getSchema(type), model);
                });
    reuse =
        DecoderFactory.get()
            .binaryDecoder(v, WireFormat.HEADER_SIZE, v.length - WireFormat.HEADER_SIZE, reuse);
    try {
      T out = reader.read(null, reuse);
      if (!reuse.isEnd()) throw new IllegalArgumentException("trailing bytes after the value");
      return out;
    } catch (IOException e) {
      throw new IllegalArgumentException(WireFormat.INVALID_AVRO_BODY + ": " + e.getMessage());
    }
  }

  static String oneLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return m.replaceAll("\\s*\\R\\s*", " ").strip();
  }
}
