package io.swarmsched.replay;

import io.swarmsched.schemas.ScheduleDecision;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * Decisions set aside on disk (Avro binary, length-prefixed) and read back by position: a what-if
 * replay differs from the recording in nearly every decision, and holding them all decoded until
 * they are explained took gigabytes.
 */
final class DecisionSpill implements AutoCloseable {
  private final Path file;
  private final DataOutputStream out;
  // the class's own model, which knows its logical types (decided_at is an Instant)
  private final SpecificDatumWriter<ScheduleDecision> writer =
      new SpecificDatumWriter<>(
          ScheduleDecision.getClassSchema(), SpecificData.getForClass(ScheduleDecision.class));
  private final SpecificDatumReader<ScheduleDecision> reader =
      new SpecificDatumReader<>(
          ScheduleDecision.getClassSchema(),
          ScheduleDecision.getClassSchema(),
          SpecificData.getForClass(ScheduleDecision.class));
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(1024);
  private BinaryEncoder encoder;
  private BinaryDecoder decoder;
  private RandomAccessFile in;
  private long position;

  DecisionSpill() {
    try {
      file = Files.createTempFile("swarmsched-replay-", ".spill");
      out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sets {@code d} aside; returns where to read it back from. */
  long add(ScheduleDecision d) {
    try {
      buffer.reset();
      encoder = EncoderFactory.get().binaryEncoder(buffer, encoder);
      writer.write(d, encoder);
      encoder.flush();
      long at = position;
      out.writeInt(buffer.size());
      buffer.writeTo(out);
      position += 4 + buffer.size();
      return at;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The decision set aside at {@code at}. */
  ScheduleDecision get(long at) {
    try {
      if (in == null) {
        out.flush();
        in = new RandomAccessFile(file.toFile(), "r");
      }
      in.seek(at);
      byte[] bytes = new byte[in.readInt()];
      in.readFully(bytes);
      decoder = DecoderFactory.get().binaryDecoder(bytes, decoder);
      return reader.read(null, decoder);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      out.close();
      if (in != null) in.close();
    } catch (IOException e) {
      // a temp file left open at exit is not worth failing a replay for
    } finally {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        // same
      }
    }
  }
}
