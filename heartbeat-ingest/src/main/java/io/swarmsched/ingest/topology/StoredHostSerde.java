package io.swarmsched.ingest.topology;

import io.swarmsched.schemas.HostState;
import io.swarmsched.serde.WireFormat;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The bytes of a {@link StoredHost} in {@link IngestTopology#HOST_STORE} and its changelog: a
 * format byte ({@link #FORMAT_V1}), the heard time as 8 big-endian bytes, then the state exactly as
 * published on swarm.hosts.v1 (Confluent wire format), so the state is encoded once per heartbeat
 * for both ({@link HostStateEncoding}).
 *
 * <p>A value that starts with the wire format's magic byte instead is a bare {@code HostState}, as
 * the store held before the heard time moved into it: read with {@link StoredHost#HEARD_UNKNOWN},
 * so a changelog written by the previous version restores.
 */
final class StoredHostSerde implements Serde<StoredHost> {
  static final byte FORMAT_V1 = 0x01;
  private static final int PREFIX = 1 + Long.BYTES;

  private final Serializer<HostState> states;
  private final Deserializer<HostState> stateReader;

  StoredHostSerde(Serializer<HostState> states, Deserializer<HostState> stateReader) {
    this.states = states;
    this.stateReader = stateReader;
  }

  @Override
  public Serializer<StoredHost> serializer() {
    return (topic, stored) -> {
      if (stored == null) {
        return null;
      }
      byte[] state = states.serialize(topic, stored.state());
      byte[] out = new byte[PREFIX + state.length];
      out[0] = FORMAT_V1;
      ByteBuffer.wrap(out, 1, Long.BYTES).putLong(stored.heardMs());
      System.arraycopy(state, 0, out, PREFIX, state.length);
      return out;
    };
  }

  @Override
  public Deserializer<StoredHost> deserializer() {
    return (topic, data) -> {
      if (data == null) {
        return null;
      }
      if (data.length > 0 && data[0] == WireFormat.MAGIC_BYTE) {
        return new StoredHost(stateReader.deserialize(topic, data), StoredHost.HEARD_UNKNOWN);
      }
      if (data.length <= PREFIX || data[0] != FORMAT_V1) {
        throw new SerializationException(
            "Not a stored host in "
                + topic
                + ": "
                + data.length
                + " bytes starting with "
                + (data.length == 0 ? "nothing" : String.format("0x%02x", data[0]))
                + " (expected format 0x01 or a bare HostState)");
      }
      long heard = ByteBuffer.wrap(data, 1, Long.BYTES).getLong();
      return new StoredHost(
          stateReader.deserialize(topic, Arrays.copyOfRange(data, PREFIX, data.length)), heard);
    };
  }
}
