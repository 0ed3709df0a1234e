package io.swarmsched.dispatcher.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmsched.scheduling.ledger.HostAllocations;
import java.io.IOException;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The ledger store's value format: one host's optimistic allocations (core's {@link
 * HostAllocations}) as a version byte, then each allocation time with its count, oldest first, as
 * varints. Values written as JSON by earlier versions (the dispatcher's former LedgerEntry, first
 * byte {@code '{'}: its upload times; its job times belonged to the per-partition job path, which is
 * gone) are still read; {@code HostAllocationsSerdeTest} holds one.
 */
public final class HostAllocationsSerde implements Serde<HostAllocations> {
  static final byte VERSION = 1;
  private static final ObjectMapper JSON = new ObjectMapper();

  public static byte[] encode(HostAllocations a) {
    BinaryFields.Out out = new BinaryFields.Out(8 + 8 * a.byTime().size());
    out.writeByte(VERSION);
    out.varint(a.byTime().size());
    for (Map.Entry<Long, Integer> e : a.byTime().entrySet()) {
      out.varint(e.getKey());
      out.varint(e.getValue());
    }
    return out.toBytes();
  }

  public static HostAllocations decode(byte[] bytes) {
    HostAllocations a = new HostAllocations();
    try {
      if (bytes.length > 0 && bytes[0] == '{') {
        for (JsonNode t : JSON.readTree(bytes).path("uploadTimes")) a.record(t.asLong());
        return a;
      }
      BinaryFields.In in = new BinaryFields.In(bytes);
      byte version = in.readByte();
      if (version != VERSION)
        throw new SerializationException("Unknown ledger entry encoding version " + version);
      long n = BinaryFields.varint(in);
      for (long i = 0; i < n; i++) a.record(BinaryFields.varint(in), (int) BinaryFields.varint(in));
      return a;
    } catch (SerializationException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("Invalid ledger entry in the ledger store", e);
    }
  }

  @Override
  public Serializer<HostAllocations> serializer() {
    return (topic, value) -> value == null ? null : encode(value);
  }

  @Override
  public Deserializer<HostAllocations> deserializer() {
    return (topic, bytes) -> bytes == null ? null : decode(bytes);
  }
}
