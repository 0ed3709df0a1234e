package io.swarmsched.ingest.topology;

import io.swarmsched.schemas.HostState;
import io.swarmsched.topics.Topics;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Encodes a {@code HostState} once for both places an accepted heartbeat writes it: the host store
 * (and so its changelog) and swarm.hosts.v1. {@link HostStateProcessor} writes the store, then
 * forwards the same object to the sink on the same stream thread, so the sink's call finds the
 * bytes of the store's call (one Avro encode per heartbeat instead of two; the encode was the
 * largest single cost in the ingest profile, issue 17).
 *
 * <p>Always encoded as swarm.hosts.v1's value (its subject), whatever topic Streams names (the
 * changelog's), so the bytes are the same for both. The remembered pair is per thread (the
 * topology's serializers are shared by every stream thread) and by identity: states are never
 * changed after they are built, and a different object is simply encoded.
 */
final class HostStateEncoding implements Serializer<HostState> {
  private static final class Last {
    HostState state;
    byte[] bytes;
  }

  private final Serializer<HostState> avro;
  private final ThreadLocal<Last> last = ThreadLocal.withInitial(Last::new);

  HostStateEncoding(Serializer<HostState> avro) {
    this.avro = avro;
  }

  @Override
  public byte[] serialize(String topic, HostState state) {
    if (state == null) {
      return null;
    }
    Last l = last.get();
    if (l.state != state) {
      l.bytes = avro.serialize(Topics.HOSTS.name(), state);
      l.state = state;
    }
    return l.bytes;
  }
}
