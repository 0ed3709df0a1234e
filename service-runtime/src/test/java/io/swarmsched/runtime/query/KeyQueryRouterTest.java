package io.swarmsched.runtime.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmsched.runtime.http.HttpApi;
import io.swarmsched.runtime.http.Response;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.query.FailureReason;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.RangeQuery;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.query.StateQueryResult;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Routing decisions without a broker: a fake of Streams' metadata and IQv2 behind two real HTTP
 * APIs.
 */
class KeyQueryRouterTest {
  static final String STORE = "counts-store";
  static final Serializer<String> KEYS = Serdes.String().serializer();
  static final Duration RETRY = Duration.ofMillis(400);

  /** What one instance believes: who owns which key, and what its own partitions hold. */
  static final class FakeAccess implements StoreAccess {
    volatile KafkaStreams.State state = KafkaStreams.State.RUNNING;
    final Map<String, HostInfo> owners = new ConcurrentHashMap<>();
    final Map<String, Long> values = new ConcurrentHashMap<>();
    volatile FailureReason failure;
    volatile List<StreamsMetadata> clients = List.of();

    @Override
    public KafkaStreams.State state() {
      return state;
    }

    @Override
    public <K> KeyQueryMetadata metadataForKey(String store, K key, Serializer<K> keySerializer) {
      HostInfo owner = owners.get(key);
      return owner == null
          ? KeyQueryMetadata.NOT_AVAILABLE
          : new KeyQueryMetadata(owner, Set.of(), 0);
    }

    @Override
    public Collection<StreamsMetadata> metadataForAllClients() {
      return clients;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <R> StateQueryResult<R> query(StateQueryRequest<R> request) {
      StateQueryResult<R> result = new StateQueryResult<>();
      for (int partition : request.getPartitions()) {
        if (failure != null) {
          result.addResult(partition, QueryResult.forFailure(failure, "fake"));
        } else if (request.getQuery() instanceof KeyQuery<?, ?> keyQuery) {
          result.addResult(
              partition,
              (QueryResult<R>) QueryResult.forResult(values.get((String) keyQuery.getKey())));
        } else if (request.getQuery() instanceof RangeQuery<?, ?>) {
          List<org.apache.kafka.streams.KeyValue<String, Long>> entries =
              values.entrySet().stream()
                  .map(e -> org.apache.kafka.streams.KeyValue.pair(e.getKey(), e.getValue()))
                  .toList();
          result.addResult(partition, (QueryResult<R>) QueryResult.forResult(iterator(entries)));
        }
      }
      return result;
    }
  }

  static KeyValueIterator<String, Long> iterator(
      List<org.apache.kafka.streams.KeyValue<String, Long>> entries) {
    java.util.Iterator<org.apache.kafka.streams.KeyValue<String, Long>> it = entries.iterator();
    return new KeyValueIterator<>() {
      @Override
      public void close() {}

      @Override
      public String peekNextKey() {
        throw new UnsupportedOperationException();
      }

      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public org.apache.kafka.streams.KeyValue<String, Long> next() {
        return it.next();
      }
    };
  }

  static StreamsMetadata client(HostInfo host) {
    return new StreamsMetadata() {
      @Override
      public HostInfo hostInfo() {
        return host;
      }

      @Override
      public Set<String> stateStoreNames() {
        return Set.of(STORE);
      }

      @Override
      public Set<TopicPartition> topicPartitions() {
        return Set.of(new TopicPartition("t", 0));
      }

      @Override
      public Set<TopicPartition> standbyTopicPartitions() {
        return Set.of();
      }

      @Override
      public Set<String> standbyStateStoreNames() {
        return Set.of();
      }

      @Override
      public String host() {
        return host.host();
      }

      @Override
      public int port() {
        return host.port();
      }
    };
  }

  /** One instance: an HTTP API with a routed key lookup and a fanned-out list. */
  static final class Instance implements AutoCloseable {
    final FakeAccess access = new FakeAccess();
    final HttpApi api = HttpApi.create("127.0.0.1", 0, 4096);
    final AtomicInteger keyRequests = new AtomicInteger();
    HostInfo self;
    KeyQueryRouter router;
    AllInstances all;

    Instance start() throws Exception {
      api.start();
      self = new HostInfo("127.0.0.1", api.port());
      QueryForwarder forwarder =
          new QueryForwarder(self, Duration.ofSeconds(5), Duration.ofSeconds(30));
      router = new KeyQueryRouter(access, self, forwarder, RETRY);
      all = new AllInstances(access, self, forwarder, RETRY);
      api.get(
          "/counts/{key}",
          req -> {
            keyRequests.incrementAndGet();
            String key = req.pathParam("key");
            return router.route(
                req,
                STORE,
                key,
                KEYS,
                (Optional<Long> count) ->
                    count
                        .map(c -> Response.ok(Map.of("key", key, "count", c)))
                        .orElseGet(() -> Response.error(404, "key " + key + " is not known")));
          });
      all.register(
          api,
          "counts",
          req ->
              router.local().<String, Long>all(STORE).stream()
                  .map(kv -> Map.of("key", kv.key, "count", kv.value))
                  .toList());
      api.get("/counts", req -> Response.ok(all.collect("counts", req)));
      return this;
    }

    @Override
    public void close() {
      api.close();
    }
  }

  final HttpClient client = HttpClient.newHttpClient();
  Instance a;
  Instance b;

  void startBoth() throws Exception {
    a = new Instance().start();
    b = new Instance().start();
    List<StreamsMetadata> clients = List.of(client(a.self), client(b.self));
    a.access.clients = clients;
    b.access.clients = clients;
  }

  @AfterEach
  void stop() {
    if (a != null) a.close();
    if (b != null) b.close();
  }

  HttpResponse<String> get(Instance instance, String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create(instance.api.localUrl() + path))
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode json(HttpResponse<String> response) throws Exception {
    return HttpApi.JSON.readTree(response.body());
  }

  static String answeredBy(HttpResponse<String> response) {
    return response.headers().firstValue(QueryForwarder.ANSWERED_BY).orElse("none");
  }

  @Test
  void ownerAnswersFromItsOwnStore() throws Exception {
    startBoth();
    a.access.owners.put("x", a.self);
    a.access.values.put("x", 3L);

    HttpResponse<String> response = get(a, "/counts/x");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(json(response).get("count").asLong()).isEqualTo(3);
    assertThat(answeredBy(response)).isEqualTo(QueryForwarder.address(a.self));
  }

  @Test
  void absentKeyOnTheOwnerIsRenderedByTheService() throws Exception {
    startBoth();
    a.access.owners.put("nobody", a.self);

    HttpResponse<String> response = get(a, "/counts/nobody");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(json(response).get("message").asText()).isEqualTo("key nobody is not known");
  }

  @Test
  void keyOwnedByAnotherInstanceIsForwardedToItAndAnsweredThere() throws Exception {
    startBoth();
    a.access.owners.put("y", b.self);
    b.access.owners.put("y", b.self);
    b.access.values.put("y", 7L);

    HttpResponse<String> response = get(a, "/counts/y");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(json(response).get("count").asLong()).isEqualTo(7);
    assertThat(answeredBy(response)).isEqualTo(QueryForwarder.address(b.self));
    assertThat(b.keyRequests.get()).isEqualTo(1);
  }

  @Test
  void forwardedRequestIsNeverForwardedAgainSoDisagreeingInstancesAnswer503InsteadOfLooping()
      throws Exception {
    startBoth();
    a.access.owners.put("z", b.self);
    b.access.owners.put("z", a.self); // B still believes A owns it: ownership is moving

    HttpResponse<String> response = get(a, "/counts/z");

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(json(response).get("message").asText())
        .contains("not queryable")
        .contains("forwarded by");
    assertThat(a.keyRequests.get()).isEqualTo(1);
    assertThat(b.keyRequests.get()).isEqualTo(1);
  }

  @Test
  void unknownOwnershipDuringRebalanceIs503WithJsonAfterRetrying() throws Exception {
    startBoth();
    a.access.state = KafkaStreams.State.REBALANCING;

    HttpResponse<String> response = get(a, "/counts/unassigned");

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(json(response).get("error_code").asInt()).isEqualTo(503);
    assertThat(json(response).get("message").asText()).contains("rebalancing");
  }

  @Test
  void storeNotActiveHereIs503() throws Exception {
    startBoth();
    a.access.owners.put("x", a.self);
    a.access.failure = FailureReason.NOT_ACTIVE;

    HttpResponse<String> response = get(a, "/counts/x");

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(json(response).get("message").asText()).contains("NOT_ACTIVE");
  }

  @Test
  void stoppedApplicationIs503AtOnce() throws Exception {
    startBoth();
    a.access.state = KafkaStreams.State.NOT_RUNNING;

    HttpResponse<String> response = get(a, "/counts/x");

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(json(response).get("message").asText()).contains("NOT_RUNNING");
  }

  @Test
  void listQueryMergesEveryInstancesLocalPartitions() throws Exception {
    startBoth();
    a.access.values.put("a1", 1L);
    b.access.values.put("b1", 2L);
    b.access.values.put("b2", 3L);

    HttpResponse<String> fromA = get(a, "/counts");
    HttpResponse<String> fromB = get(b, "/counts");

    assertThat(fromA.statusCode()).isEqualTo(200);
    assertThat(json(fromA).findValuesAsText("key")).containsExactlyInAnyOrder("a1", "b1", "b2");
    assertThat(json(fromB).findValuesAsText("key")).containsExactlyInAnyOrder("a1", "b1", "b2");
  }

  @Test
  void listQueryIs503WhenAnInstanceCannotAnswerRatherThanPartial() throws Exception {
    startBoth();
    a.access.values.put("a1", 1L);
    b.access.failure = FailureReason.NOT_PRESENT;

    HttpResponse<String> response = get(a, "/counts");

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(json(response).get("message").asText()).contains(QueryForwarder.address(b.self));
  }
}
