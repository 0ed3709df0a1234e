package io.swarmsched.runtime.query;

import io.swarmsched.runtime.http.ApiException;
import io.swarmsched.runtime.http.Request;
import io.swarmsched.runtime.http.Response;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a key lookup from whichever instance owns the key: IQv2 here when this instance is the
 * active owner, else the request is forwarded over HTTP to the owner's {@code application.server}
 * (the owner's HTTP API), marked so it is never forwarded twice. While ownership is unknown or
 * moving (rebalance, restore) it retries for a short while, then answers 503 with a JSON message.
 *
 * <pre>{@code
 * KeyQueryRouter router = KeyQueryRouter.create(service.streams(), advertised);
 * api.get("/api/v1/hosts/{id}", req -> router.route(req, HOST_STORE, req.pathParam("id"),
 *     Serdes.String().serializer(),
 *     (Optional<HostState> host) -> host.map(h -> Response.ok(HostJson.of(h)))
 *         .orElseGet(() -> Response.error(404, "host " + req.pathParam("id") + " is not known"))));
 * }</pre>
 */
public final class KeyQueryRouter {
  private static final Logger log = LoggerFactory.getLogger(KeyQueryRouter.class);

  public static final Duration DEFAULT_RETRY_FOR = Duration.ofSeconds(5);
  static final long BACKOFF_MS = 100;

  private final StoreAccess access;
  private final HostInfo self;
  private final LocalQueries local;
  private final QueryForwarder forwarder;
  private final Duration retryFor;

  public KeyQueryRouter(
      StoreAccess access, HostInfo self, QueryForwarder forwarder, Duration retryFor) {
    this.access = access;
    this.self = self;
    this.local = new LocalQueries(access, self);
    this.forwarder = forwarder;
    this.retryFor = retryFor;
  }

  /**
   * A router for {@code streams}, whose {@code application.server} is {@code advertised}
   * (host:port).
   */
  public static KeyQueryRouter create(KafkaStreams streams, String advertised) {
    HostInfo self = HostInfo.buildFromEndpoint(advertised);
    return new KeyQueryRouter(
        StoreAccess.of(streams),
        self,
        new QueryForwarder(self, Duration.ofSeconds(5), Duration.ofSeconds(30)),
        DEFAULT_RETRY_FOR);
  }

  /**
   * Looks {@code key} up in {@code store} on its owner and renders the answer with {@code render}
   * (given empty when the key is absent). Remote answers are passed through as the owner sent them.
   */
  public <K, V> Response route(
      Request request,
      String store,
      K key,
      Serializer<K> keySerializer,
      Function<Optional<V>, Response> render)
      throws InterruptedException {
    long deadline = System.nanoTime() + retryFor.toNanos();
    String problem;
    while (true) {
      KafkaStreams.State state = access.state();
      if (state == KafkaStreams.State.ERROR
          || state == KafkaStreams.State.NOT_RUNNING
          || state == KafkaStreams.State.PENDING_SHUTDOWN
          || state == KafkaStreams.State.PENDING_ERROR) {
        throw ApiException.unavailable(
            "store " + store + " is not queryable: streams application is " + state);
      }
      KeyQueryMetadata metadata = metadata(store, key, keySerializer);
      if (metadata == null
          || metadata.equals(KeyQueryMetadata.NOT_AVAILABLE)
          || isUnavailable(metadata.activeHost())) {
        problem = "no instance owns the key yet (rebalancing)";
      } else if (self.equals(metadata.activeHost())) {
        try {
          Optional<V> value = local.get(store, key, metadata.partition());
          return render
              .apply(value)
              .withHeader(QueryForwarder.ANSWERED_BY, QueryForwarder.address(self));
        } catch (NotQueryableException e) {
          problem = e.getMessage();
        }
      } else if (QueryForwarder.isForwarded(request)) {
        // Forwarded here, yet metadata says another instance owns it: ownership is moving.
        // Never forward a forwarded request; wait for the metadata to settle instead.
        problem =
            "forwarded by "
                + request.header(QueryForwarder.FORWARDED_BY).orElse("?")
                + " but owned by "
                + QueryForwarder.address(metadata.activeHost());
      } else {
        try {
          return forwarder.forward(metadata.activeHost(), request);
        } catch (IOException e) {
          problem = "owner " + QueryForwarder.address(metadata.activeHost()) + " unreachable: " + e;
        }
      }
      if (System.nanoTime() > deadline) {
        log.warn("Giving up on key query in {}: {}", store, problem);
        throw ApiException.unavailable(
            "store "
                + store
                + " is not queryable for this key right now: "
                + problem
                + "; retry shortly");
      }
      Thread.sleep(BACKOFF_MS);
    }
  }

  private <K> KeyQueryMetadata metadata(String store, K key, Serializer<K> keySerializer) {
    try {
      return access.metadataForKey(store, key, keySerializer);
    } catch (RuntimeException e) {
      // StreamsNotStartedException, UnknownStateStoreException while the topology is not yet
      // assigned
      return null;
    }
  }

  private static boolean isUnavailable(HostInfo host) {
    return host == null || host.port() < 0 || HostInfo.unavailable().equals(host);
  }

  public LocalQueries local() {
    return local;
  }

  public HostInfo self() {
    return self;
  }
}
