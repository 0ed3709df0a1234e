package io.swarmsched.ingest.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmsched.ingest.validation.HeartbeatValidator;
import io.swarmsched.ingest.validation.Violation;
import io.swarmsched.runtime.http.ApiException;
import io.swarmsched.runtime.http.Handler;
import io.swarmsched.runtime.http.Request;
import io.swarmsched.runtime.http.Response;
import io.swarmsched.schemas.HostHeartbeat;
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
 * broker does not acknowledge in time.
 */
public final class HeartbeatGateway implements Handler {
  public static final String PATH = "/api/v1/heartbeat";
  static final Duration SEND_TIMEOUT = Duration.ofSeconds(10);

  private final Producer<String, byte[]> producer;
  private final Serializer<HostHeartbeat> serializer;
  private final HeartbeatValidator validator;
  private final int maxBodyBytes;
  private final Clock clock;
  private final String topic;

  public HeartbeatGateway(
      Producer<String, byte[]> producer,
      Serializer<HostHeartbeat> serializer,
      HeartbeatValidator validator,
      int maxBodyBytes,
      Clock clock) {
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
    try {
      producer
          .send(new ProducerRecord<>(topic, key, value))
          .get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
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
