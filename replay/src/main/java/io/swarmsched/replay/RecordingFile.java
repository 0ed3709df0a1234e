package io.swarmsched.replay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;

/**
 * The recording file: one Avro object container file (deflate-compressed) of {@link RecordedRecord}
 * envelopes. The first envelope that uses a writer schema id carries that schema's text, so the
 * file is self-contained: a replay needs no registry and no cluster. The file's metadata says what
 * range was recorded, from where and when ({@code swarmsched.*} keys).
 */
public final class RecordingFile {
  private RecordingFile() {}

  /** Metadata keys. */
  public static final String META_FROM = "swarmsched.from";

  public static final String META_TO = "swarmsched.to";
  public static final String META_SOURCE = "swarmsched.source";
  public static final String META_CREATED = "swarmsched.created";
  public static final String META_FORMAT = "swarmsched.format";
  public static final String FORMAT = "swarmsched-recording/1";

  /** The envelope schema (stored in every file's header by Avro itself). */
  public static final Schema ENVELOPE =
      SchemaBuilder.record("RecordedRecord")
          .namespace("io.swarmsched.replay")
          .doc("One Kafka record as recorded by swarmsched record")
          .fields()
          .requiredString("topic")
          .requiredInt("partition")
          .requiredLong("offset")
          .requiredLong("timestamp")
          .optionalBytes("key")
          .optionalBytes("value")
          .name("schema_id")
          .doc("Registry id of the value's writer schema, -1 when none")
          .type()
          .intType()
          .intDefault(-1)
          .name("writer_schema")
          .doc("The writer schema's text, on the first envelope that uses schema_id")
          .type()
          .optional()
          .stringType()
          .endRecord();

  /** A recording read back: its metadata, its envelopes in file order and the writer schemas. */
  public record Recording(
      Map<String, String> metadata, List<RecordedRecord> records, Map<Integer, Schema> schemas) {}

  /** Writes envelopes to a new file; schema texts come from {@code schemaText} by id. */
  public static final class Writer implements AutoCloseable {
    private final DataFileWriter<GenericRecord> out;
    private final IntFunction<String> schemaText;
    private final Set<Integer> written = new HashSet<>();
    private long count;

    public Writer(Path file, Map<String, String> metadata, IntFunction<String> schemaText) {
      this.schemaText = schemaText;
      out = new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(ENVELOPE));
      out.setCodec(CodecFactory.deflateCodec(6));
      out.setMeta(META_FORMAT, FORMAT);
      metadata.forEach(out::setMeta);
      try {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        out.create(ENVELOPE, file.toFile());
      } catch (IOException e) {
        throw new ReplayException("cannot write " + file + ": " + e.getMessage(), e);
      }
    }

    public void append(RecordedRecord r) {
      GenericRecord g = new GenericData.Record(ENVELOPE);
      g.put("topic", r.topic());
      g.put("partition", r.partition());
      g.put("offset", r.offset());
      g.put("timestamp", r.timestamp());
      g.put("key", r.key() == null ? null : ByteBuffer.wrap(r.key()));
      g.put("value", r.value() == null ? null : ByteBuffer.wrap(r.value()));
      g.put("schema_id", r.schemaId());
      if (r.schemaId() >= 0 && written.add(r.schemaId())) {
        g.put("writer_schema", schemaText.apply(r.schemaId()));
      }
      try {
        out.append(g);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      count++;
    }

    public long count() {
      return count;
    }

    @Override
    public void close() {
      try {
        out.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /**
   * Reads a whole recording.
   *
   * @throws ReplayException on a missing or unreadable file, or one that is not a recording
   */
  public static Recording read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ReplayException("cannot read " + file + ": no such file");
    }
    if (!Files.isReadable(file)) {
      throw new ReplayException("cannot read " + file + ": permission denied");
    }
    List<RecordedRecord> records = new ArrayList<>();
    Map<Integer, Schema> schemas = new HashMap<>();
    Map<String, String> meta = new LinkedHashMap<>();
    try (DataFileReader<GenericRecord> in =
        new DataFileReader<>(file.toFile(), new GenericDatumReader<>(ENVELOPE))) {
      String format = in.getMetaString(META_FORMAT);
      if (!FORMAT.equals(format)) {
        throw new ReplayException(
            "cannot read "
                + file
                + ": not a swarmsched recording (format "
                + (format == null ? "missing" : "'" + format + "'")
                + ", expected "
                + FORMAT
                + ")");
      }
      for (String key : in.getMetaKeys()) {
        if (key.startsWith("swarmsched.")) meta.put(key, in.getMetaString(key));
      }
      GenericRecord g = null;
      while (in.hasNext()) {
        g = in.next(g);
        int id = (Integer) g.get("schema_id");
        Object text = g.get("writer_schema");
        if (text != null && !schemas.containsKey(id)) {
          try {
            schemas.put(id, new Schema.Parser().parse(text.toString()));
          } catch (RuntimeException e) {
            // left out: the records of this id are then counted as undecodable by the replay
          }
        }
        records.add(
            new RecordedRecord(
                g.get("topic").toString().intern(), // a handful of topics, millions of records
                (Integer) g.get("partition"),
                (Long) g.get("offset"),
                (Long) g.get("timestamp"),
                bytes(g.get("key")),
                bytes(g.get("value")),
                id));
      }
    } catch (IOException | AvroRuntimeException e) {
      throw new ReplayException(
          "cannot read "
              + file
              + ": not a swarmsched recording ("
              + String.valueOf(e.getMessage()).lines().findFirst().orElse("")
              + ")",
          e);
    }
    return new Recording(meta, records, schemas);
  }

  private static byte[] bytes(Object o) {
    if (o == null) return null;
    ByteBuffer b = ((ByteBuffer) o).duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  static String utf8(byte[] b) {
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }
}
