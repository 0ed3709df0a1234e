package io.swarmsched.registry.server;

import com.sun.net.httpserver.HttpServer;
import io.swarmsched.runtime.http.BoundedHttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Confluent-compatible schema registry whose state lives in a compacted Kafka topic. {@link
 * #start} returns once the topic has been read to its end, so the server answers with everything
 * written before it started.
 */
public final class SchemaRegistryServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SchemaRegistryServer.class);

  private final RegistryServerConfig config;
  private final RegistryLog store;
  private final HttpServer http;
  private final ExecutorService executor;
  private final CountDownLatch closed = new CountDownLatch(1);

  private SchemaRegistryServer(
      RegistryServerConfig config, RegistryLog store, HttpServer http, ExecutorService executor) {
    this.config = config;
    this.store = store;
    this.http = http;
    this.executor = executor;
  }

  /**
   * Creates the topic if missing, loads the state from it, then binds the HTTP port.
   *
   * @throws RegistryError (50001) when Kafka cannot be reached in {@code config.storeTimeout()}
   * @throws UncheckedIOException when the port cannot be bound (the message names it)
   */
  public static SchemaRegistryServer start(RegistryServerConfig config) {
    RegistryState state = new RegistryState();
    RegistryLog store =
        KafkaRegistryLog.open(
            state,
            config.bootstrapServers(),
            config.kafkaClient(),
            config.topic(),
            config.storeTimeout());
    try {
      return serve(config, state, store);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  /** A server over any log; package-private so tests can run the API without Kafka. */
  static SchemaRegistryServer serve(
      RegistryServerConfig config, RegistryState state, RegistryLog store) {
    HttpServer http;
    try {
      http = BoundedHttpServer.create(new InetSocketAddress(config.host(), config.port()), 0);
    } catch (BindException e) {
      throw new UncheckedIOException(
          "Schema registry cannot bind "
              + config.host()
              + ":"
              + config.port()
              + " (port taken?): "
              + e.getMessage(),
          e);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Schema registry cannot bind "
              + config.host()
              + ":"
              + config.port()
              + ": "
              + e.getMessage(),
          e);
    }
    AtomicInteger threads = new AtomicInteger();
    ExecutorService executor =
        Executors.newFixedThreadPool(
            8,
            r -> {
              Thread t = new Thread(r, "registry-http-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    RegistryService service = new RegistryService(state, store);
    RestApi api = new RestApi(service, config.access());
    AtomicLong requests = new AtomicLong();
    http.createContext(
        "/",
        exchange -> {
          requests.incrementAndGet();
          api.handle(exchange);
        });
    RegistryOps ops = new RegistryOps(service, requests);
    http.createContext("/health", ops);
    http.createContext("/metrics", ops);
    http.setExecutor(executor);
    http.start();
    SchemaRegistryServer server = new SchemaRegistryServer(config, store, http, executor);
    log.info(
        "Schema registry listening on {} (topic {}); writes: {}",
        server.url(),
        config.topic(),
        config.access().auth().enabled()
            ? "need a token (deletes and compatibility changes: "
                + String.join(", ", config.access().admins())
                + ")"
            : "OPEN, no authentication");
    return server;
  }

  public int port() {
    return http.getAddress().getPort();
  }

  /** {@code http://HOST:PORT}; 0.0.0.0 is reported as 127.0.0.1 so the URL is usable locally. */
  public String url() {
    String host = config.host();
    if (host.equals("0.0.0.0") || host.equals("::")) {
      host = "127.0.0.1";
    }
    return "http://" + host + ":" + port();
  }

  public RegistryServerConfig config() {
    return config;
  }

  /** Blocks until {@link #close()} has run. */
  public void awaitClosed() throws InterruptedException {
    closed.await();
  }

  @Override
  public void close() {
    if (closed.getCount() == 0) {
      return;
    }
    http.stop(1); // bounded: in-flight requests get a second
    executor.shutdown();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    store.close();
    closed.countDown();
    log.info("Schema registry on port {} stopped", config.port());
  }

  /**
   * {@code --bootstrap-servers HOST:PORT} (or env SWARM_BOOTSTRAP_SERVERS, default localhost:9092),
   * {@code --host}, {@code --port} (default 8081), {@code --topic} (default _schemas), {@code
   * --tokens-file} (writes need one of its tokens; RegistryAccess).
   */
  public static void main(String[] args) throws InterruptedException {
    String bootstrap = System.getenv().getOrDefault("SWARM_BOOTSTRAP_SERVERS", "localhost:9092");
    String host = RegistryServerConfig.DEFAULT_HOST;
    int port = RegistryServerConfig.DEFAULT_PORT;
    String topic = RegistryServerConfig.DEFAULT_TOPIC;
    String tokensFile = null;
    try {
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
        String value;
        if (name.equals("--help") || name.equals("-h")) {
          System.out.println(
              "usage: SchemaRegistryServer [--bootstrap-servers HOST:PORT]"
                  + " [--host ADDR] [--port N] [--topic NAME] [--tokens-file FILE]");
          return;
        }
        if (arg.contains("=")) {
          value = arg.substring(arg.indexOf('=') + 1);
        } else if (i + 1 < args.length) {
          value = args[++i];
        } else {
          throw new IllegalArgumentException("option " + name + " needs a value");
        }
        switch (name) {
          case "--bootstrap-servers" -> bootstrap = value;
          case "--host" -> host = value;
          case "--port" -> port = Integer.parseInt(value);
          case "--topic" -> topic = value;
          case "--tokens-file" ->
              tokensFile = value; // principal=token lines, as swarm.http.tokens.file
          default -> throw new IllegalArgumentException("unknown option " + name);
        }
      }
      RegistryServerConfig config = new RegistryServerConfig(bootstrap, host, port, topic);
      if (tokensFile != null) {
        config =
            config.withAccess(
                RegistryAccess.tokens(
                    io.swarmsched.runtime.http.HttpAuth.from(
                        io.swarmsched.runtime.config.Settings.of(
                            java.util.Map.of(
                                io.swarmsched.runtime.config.CommonKeys.HTTP_TOKENS_FILE,
                                tokensFile)))));
      }
      SchemaRegistryServer server = start(config);
      Runtime.getRuntime().addShutdownHook(new Thread(server::close, "registry-shutdown"));
      System.out.println(
          "Schema registry: " + server.url() + " (Kafka " + bootstrap + ", topic " + topic + ")");
      server.awaitClosed();
    } catch (RuntimeException e) {
      System.err.println("schema registry: " + e.getMessage());
      System.exit(2);
    }
  }
}
