package io.swarmsched.ingest.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmsched.ingest.validation.HeartbeatValidator;
import io.swarmsched.ingest.validation.Violation;
import io.swarmsched.runtime.auth.HostAuthenticity;
import io.swarmsched.runtime.auth.PrincipalSeal;
import io.swarmsched.runtime.http.ApiException;
import io.swarmsched.runtime.http.Handler;
import io.swarmsched.runtime.http.Request;
import io.swarmsched.runtime.http.Response;
import io.swarmsched.schemas.HostHeartbeat;
import io.swarmsched.schemas.HostKey;
import io.swarmsched.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;

/**
 * {@code POST /api/v1/heartbeat}: a heartbeat as JSON (the Avro record's fields, or the
 * dtask-scheduler shape) from an agent that cannot speak Kafka. Validated with the same rules as
 * the stream, then produced, Avro in the Confluent wire format, keyed by host id, to the heartbeat
 * topic; the stream takes it from there.
 *
 * <p>Answers 200 {@code {"status":"ok",...}} once the broker has the record (dtask agents expect
 * exactly that); 400 naming the field for a bad body; 413 for a body over the limit; 503 when the
 * broker does not acknowledge in time; 403 for a host bound to a key (its agent signs over Kafka)
 * or to another principal than the request's. The record carries the poster's principal in header
 * {@code swarm-principal}: a host id first claimed over HTTP is bound to it (docs/design.md,
 * "Security").
 */
public final class HeartbeatGateway implements Handler {
  public static final String PATH = "/api/v1/heartbeat";

  /** The principal of a request without a token, where the API runs without tokens. */
  public static final String ANONYMOUS = "anonymous";

  static final Duration SEND_TIMEOUT = Duration.ofSeconds(10);

  private final Producer<String, byte[]> producer;
  private final Serializer<HostHeartbeat> serializer;
  private final HeartbeatValidator validator;
  private final int maxBodyBytes;
  private final Clock clock;
  private final String topic;
  private final Function<String, Optional<HostKey>> bindings;
  private final PrincipalSeal seal;

  public HeartbeatGateway(
      Producer<String, byte[]> producer,
      Serializer<HostHeartbeat> serializer,
      HeartbeatValidator validator,
      int maxBodyBytes,
      Clock clock) {
    this(producer, serializer, validator, maxBodyBytes, clock, host -> Optional.empty());
  }

  /**
   * @param bindings what a host id is bound to ({@link HostKeyView}): a heartbeat for a host bound
   *     to a key or to another principal is refused with 403 before it reaches Kafka
   */
  public HeartbeatGateway(
      Producer<String, byte[]> producer,
      Serializer<HostHeartbeat> serializer,
      HeartbeatValidator validator,
      int maxBodyBytes,
      Clock clock,
      Function<String, Optional<HostKey>> bindings) {
    this(producer, serializer, validator, maxBodyBytes, clock, bindings, PrincipalSeal.OFF);
  }

  /**
   * @param seal seals the principal header with ingest's secret, so that the stream can tell it
   *     from one any Kafka client wrote ({@link PrincipalSeal})
   */
  public HeartbeatGateway(
      Producer<String, byte[]> producer,
      Serializer<HostHeartbeat> serializer,
      HeartbeatValidator validator,
      int maxBodyBytes,
      Clock clock,
      Function<String, Optional<HostKey>> bindings,
      PrincipalSeal seal) {
    this.seal = seal;
    this.bindings = bindings;
    this.producer = producer;
    this.serializer = serializer;
    this.validator = validator;
    this.maxBodyBytes = maxBodyBytes;
    this.clock = clock;
    this.topic = Topics.HOST_HEARTBEATS.name();
  }

  @Override
  public Response handle(Request request) throws Exception {
    if (request.body().length > maxBodyBytes) {
      throw new ApiException(
          413,
          "body is " + request.body().length + " bytes, more than the limit of " + maxBodyBytes);
    }
    JsonNode body = request.bodyJson();
    HostHeartbeat heartbeat;
    try {
      heartbeat = HeartbeatJson.parse(body);
    } catch (BadHeartbeatException e) {
      throw ApiException.badRequest(e.getMessage());
    }
    byte[] value = serializer.serialize(topic, heartbeat);
    String key = heartbeat.getHostId();
    int size = value.length + key.getBytes(StandardCharsets.UTF_8).length;
    Optional<Violation> violation = validator.validate(key, heartbeat, size, clock.instant());
    if (violation.isPresent()) {
      int status = violation.get().field().equals("record") ? 413 : 400;
      throw new ApiException(status, violation.get().message());
    }
    // who posts it: the bearer token's principal, or "anonymous" when the API runs without tokens
    // (loopback development), so that hosts claimed without a token are still bound to something
    String principal = request.principal().orElse(ANONYMOUS);
    Optional<HostKey> binding = bindings.apply(key);
    if (binding.isPresent()) {
      HostKey b = binding.get();
      if (b.getPublicKey() != null) {
        throw new ApiException(
            403,
            "host '"
                + key
                + "' is bound to "
                + HostAuthenticity.describe(b)
                + ": only its agent's signed heartbeats (over Kafka) are accepted");
      }
      if (!principal.equals(b.getPrincipal())) {
        throw new ApiException(
            403,
            "host '"
                + key
                + "' is bound to principal '"
                + b.getPrincipal()
                + "'; this request comes from '"
                + principal
                + "'");
      }
    }
    ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, key, value);
    seal.stamp(principal, value, record.headers());
    try {
      producer.send(record).get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw ApiException.unavailable("heartbeat not stored: " + cause.getMessage());
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("status", "ok");
    answer.put("host_id", key);
    answer.put("sequence", heartbeat.getSequence());
    return Response.ok(answer);
  }
}
