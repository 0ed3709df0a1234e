package io.swarmsched.runtime.http;

import io.swarmsched.runtime.config.ConfigException;
import io.swarmsched.runtime.config.Settings;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Bearer-token authentication of an {@link HttpApi} (docs/design.md, security: HTTP write endpoints
 * require a token). Tokens are per principal: a properties file of {@code principal=token} lines
 * (the embedded cluster writes one next to its Kafka credentials), named by {@value #TOKENS_FILE}.
 *
 * <p>With tokens configured, every write (any method but GET, HEAD and OPTIONS) needs {@code
 * Authorization: Bearer <token>} of some principal, else 401; reads stay open unless {@value
 * #AUTH_READS} is true ({@code /health} and {@code /metrics} always stay open, for probes and
 * Prometheus). The authenticated principal reaches handlers as {@link Request#principal()}.
 *
 * <p>Only a SHA-256 digest of each token is kept in memory, and look-ups compare digests, so the
 * time a comparison takes says nothing about how much of a guessed token was right.
 */
public final class HttpAuth {
  /** Properties file of {@code principal=token} lines; no file means no authentication. */
  public static final String TOKENS_FILE = io.swarmsched.runtime.config.CommonKeys.HTTP_TOKENS_FILE;

  /** When true, reads need a token too (except /health and /metrics). Default false. */
  public static final String AUTH_READS = io.swarmsched.runtime.config.CommonKeys.HTTP_AUTH_READS;

  /**
   * The token this process sends to other swarmsched HTTP APIs (a client setting: agents, dtask
   * workers, the CLI).
   */
  public static final String CLIENT_TOKEN = io.swarmsched.runtime.config.CommonKeys.HTTP_TOKEN;

  /**
   * Explicit opt-out: serve an API without tokens on a non-loopback address. Logged loudly at
   * start.
   */
  public static final String INSECURE = io.swarmsched.runtime.config.CommonKeys.HTTP_INSECURE;

  private static final HttpAuth NONE = new HttpAuth(Map.of(), false, null);

  private volatile Map<String, String> principalByDigest;
  private final boolean reads;

  /** The tokens file, re-read when it changes (a principal added while the service runs). */
  private final Path file;

  private volatile long loadedModified;

  private HttpAuth(Map<String, String> principalByDigest, boolean reads, Path file) {
    this.principalByDigest = Map.copyOf(principalByDigest);
    this.reads = reads;
    this.file = file;
    this.loadedModified = file == null ? 0 : modified(file);
  }

  /** No authentication: every request is anonymous and allowed. */
  public static HttpAuth none() {
    return NONE;
  }

  /** Tokens given directly (principal → token), e.g. in tests. */
  public static HttpAuth of(Map<String, String> tokenByPrincipal, boolean authenticateReads) {
    return new HttpAuth(byDigest(tokenByPrincipal), authenticateReads, null);
  }

  private static Map<String, String> byDigest(Map<String, String> tokenByPrincipal) {
    Map<String, String> byDigest = new HashMap<>();
    tokenByPrincipal.forEach(
        (principal, token) -> {
          if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("principal " + principal + " has an empty token");
          }
          byDigest.put(digest(token.strip()), principal);
        });
    return byDigest;
  }

  private static long modified(Path file) {
    try {
      return Files.getLastModifiedTime(file).toMillis();
    } catch (IOException e) {
      return 0;
    }
  }

  /** From {@value #TOKENS_FILE} and {@value #AUTH_READS}; {@link #none()} without a file. */
  public static HttpAuth from(Settings settings) {
    Optional<String> file = settings.optional(TOKENS_FILE);
    if (file.isEmpty()) {
      return NONE;
    }
    Path path = Path.of(file.get());
    return new HttpAuth(byDigest(readTokens(path)), settings.bool(AUTH_READS, false), path);
  }

  /** Reads a {@code principal=token} file; a missing or unreadable file is a clear error. */
  public static Map<String, String> readTokens(Path file) {
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(in);
    } catch (IOException e) {
      throw new ConfigException(
          TOKENS_FILE, "cannot read the token file " + file + ": " + e.getMessage());
    }
    if (p.isEmpty()) {
      throw new ConfigException(TOKENS_FILE, "the token file " + file + " holds no tokens");
    }
    Map<String, String> tokens = new HashMap<>();
    p.stringPropertyNames().forEach(name -> tokens.put(name, p.getProperty(name)));
    return tokens;
  }

  /** True when tokens are configured (writes need one). */
  public boolean enabled() {
    return !principalByDigest.isEmpty();
  }

  public boolean readsNeedToken() {
    return enabled() && reads;
  }

  /**
   * The principal of {@code Authorization: Bearer <token>}, or of {@code Authorization: Basic
   * base64(principal:token)} (what Confluent's registry clients send with {@code
   * basic.auth.user.info}; the user name must be the token's principal); empty for none, an unknown
   * token or a user name that is not the token's.
   */
  public Optional<String> authenticate(String authorizationHeader) {
    if (authorizationHeader == null || !enabled()) {
      return Optional.empty();
    }
    String value = authorizationHeader.strip();
    if (value.length() > 6 && value.substring(0, 6).equalsIgnoreCase("basic ")) {
      return basic(value.substring(6).strip());
    }
    if (value.length() < 7 || !value.substring(0, 7).equalsIgnoreCase("bearer ")) {
      return Optional.empty();
    }
    return principalOf(value.substring(7).strip());
  }

  private Optional<String> basic(String encoded) {
    String userAndToken;
    try {
      userAndToken = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    int colon = userAndToken.indexOf(':');
    if (colon <= 0) {
      return Optional.empty();
    }
    String user = userAndToken.substring(0, colon);
    return principalOf(userAndToken.substring(colon + 1).strip()).filter(user::equals);
  }

  private Optional<String> principalOf(String token) {
    if (token.isEmpty()) {
      return Optional.empty();
    }
    String d = digest(token);
    String principal = principalByDigest.get(d);
    if (principal == null && file != null && modified(file) != loadedModified) {
      reload();
      principal = principalByDigest.get(d);
    }
    return Optional.ofNullable(principal);
  }

  /**
   * Re-reads the tokens file (an unknown token after the file changed: a new agent, a rotated
   * token); a file that cannot be read keeps the tokens already loaded.
   */
  private synchronized void reload() {
    long now = modified(file);
    if (now == loadedModified) {
      return;
    }
    try {
      principalByDigest = Map.copyOf(byDigest(readTokens(file)));
      loadedModified = now;
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(HttpAuth.class)
          .warn("Keeping the loaded HTTP tokens: {}", e.getMessage());
    }
  }

  /** Whether a request of {@code method} on {@code path} needs an authenticated principal. */
  public boolean required(String method, String path) {
    if (!enabled()) {
      return false;
    }
    String m = method.toUpperCase(Locale.ROOT);
    boolean read = m.equals("GET") || m.equals("HEAD") || m.equals("OPTIONS");
    if (!read) {
      return true;
    }
    return reads && !path.equals("/health") && !path.equals("/metrics");
  }

  /** One line for the start-up posture log. */
  public String describe() {
    if (!enabled()) {
      return "no authentication (anyone who can connect may write)";
    }
    return "bearer tokens of "
        + principalByDigest.size()
        + " principal(s) required for writes"
        + (reads ? " and reads" : "; reads open");
  }

  private static String digest(String token) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
