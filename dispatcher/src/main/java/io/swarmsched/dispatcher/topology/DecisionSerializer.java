package io.swarmsched.dispatcher.topology;

import io.swarmsched.dispatcher.state.DecisionBytes;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.serde.WireFormat;
import java.util.Arrays;
import java.util.Map;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The decisions topic's value serializer: the registry serializer's wire format (magic byte, schema
 * id, Avro body), with the body taken from the decision store's encoding of the same decision when
 * the store has just written it on this thread ({@link DecisionBytes}), so a new decision is
 * encoded once. The store's single-object encoding and the topic's wire format carry the same Avro
 * body behind different headers.
 *
 * <p>The topic's header is learnt from the registry serializer itself: the first decision the store
 * has encoded is serialized by it, and its bytes must be that header followed by exactly the
 * store's body; only then are later bodies reused, behind that header, for that topic. If they
 * differ (a registry serializer that writes another schema version, say), every decision is
 * serialized by the registry serializer as before. A decision the store has not just encoded (a
 * repeated request's earlier decision, a rejection without a request id, the job pool's) is
 * serialized by it too.
 */
final class DecisionSerializer implements Serializer<ScheduleDecision> {
  private static final Logger log = LoggerFactory.getLogger(DecisionSerializer.class);

  private static final byte[] UNDECIDED = new byte[0];

  private final Serializer<ScheduleDecision> registry;
  private final DecisionBytes stored;

  /** The wire-format header for {@link #topic}; {@link #UNDECIDED} at first, null if refused. */
  private volatile byte[] header = UNDECIDED;

  private volatile String topic;

  DecisionSerializer(Serializer<ScheduleDecision> registry, DecisionBytes stored) {
    this.registry = registry;
    this.stored = stored;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    registry.configure(configs, isKey);
  }

  @Override
  public byte[] serialize(String topic, ScheduleDecision decision) {
    if (decision == null) {
      return null;
    }
    byte[] singleObject = stored.singleObject(decision);
    byte[] h = header;
    if (singleObject == null || h == null) {
      return registry.serialize(topic, decision);
    }
    if (h == UNDECIDED) {
      return decide(topic, decision, singleObject);
    }
    if (!topic.equals(this.topic)) {
      return registry.serialize(topic, decision);
    }
    int body = singleObject.length - DecisionBytes.SINGLE_OBJECT_HEADER;
    byte[] out = new byte[h.length + body];
    System.arraycopy(h, 0, out, 0, h.length);
    System.arraycopy(singleObject, DecisionBytes.SINGLE_OBJECT_HEADER, out, h.length, body);
    return out;
  }

  /** Whether reused bodies are written (after the first decision; for tests). */
  boolean reusing() {
    return header != null && header != UNDECIDED;
  }

  private synchronized byte[] decide(String topic, ScheduleDecision decision, byte[] singleObject) {
    byte[] expected = registry.serialize(topic, decision);
    if (header == UNDECIDED) {
      if (expected != null
          && expected.length >= WireFormat.HEADER_SIZE
          && expected[0] == WireFormat.MAGIC_BYTE
          && Arrays.equals(
              expected,
              WireFormat.HEADER_SIZE,
              expected.length,
              singleObject,
              DecisionBytes.SINGLE_OBJECT_HEADER,
              singleObject.length)) {
        this.topic = topic;
        header = Arrays.copyOf(expected, WireFormat.HEADER_SIZE);
      } else {
        log.warn(
            "The decision store's Avro body of a decision differs from the registry serializer's"
                + " for {}: every decision is encoded for the topic on its own",
            topic);
        header = null;
      }
    }
    return expected;
  }

  @Override
  public void close() {
    registry.close();
  }
}
