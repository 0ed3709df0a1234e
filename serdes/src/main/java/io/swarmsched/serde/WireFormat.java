package io.swarmsched.serde;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Confluent's wire format: magic byte 0, the schema id as a 4-byte big-endian int, then the Avro
 * binary encoding of the value.
 */
public final class WireFormat {
  public static final byte MAGIC_BYTE = 0x0;
  public static final int ID_SIZE = 4;
  public static final int HEADER_SIZE = 1 + ID_SIZE;

  /** Message prefixes of the deserialization failures, for dead-letter reasons and tests. */
  public static final String UNKNOWN_MAGIC_BYTE = "Unknown magic byte";

  public static final String UNKNOWN_SCHEMA_ID = "Unknown schema id";
  public static final String TRUNCATED_RECORD = "Truncated record";
  public static final String INVALID_AVRO_BODY = "Invalid Avro body";

  private WireFormat() {}

  /**
   * The schema id in the header of {@code data}.
   *
   * @throws SerializationException "Unknown magic byte" or "Truncated record"
   */
  public static int schemaId(String topic, byte[] data) {
    if (data.length > 0 && data[0] != MAGIC_BYTE) {
      throw new SerializationException(
          String.format(
              "%s 0x%02x in record from topic %s: expected 0x00 (Confluent wire format: magic byte, 4-byte schema id, Avro body)",
              UNKNOWN_MAGIC_BYTE, data[0], topic));
    }
    if (data.length < HEADER_SIZE) {
      throw new SerializationException(
          TRUNCATED_RECORD
              + " from topic "
              + topic
              + ": "
              + data.length
              + " bytes, but the header alone (magic byte + 4-byte schema id) is "
              + HEADER_SIZE);
    }
    return ByteBuffer.wrap(data, 1, ID_SIZE).getInt();
  }

  /**
   * Writes the header for {@code schemaId} into the first {@link #HEADER_SIZE} bytes of a new
   * stream.
   */
  static byte[] header(int schemaId) {
    return ByteBuffer.allocate(HEADER_SIZE).put(MAGIC_BYTE).putInt(schemaId).array();
  }
}
