package io.swarmsched.runtime.config;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * How every swarmsched Kafka client (Streams, producers, consumers, admin clients, agents, the
 * registry's log, CLI commands) authenticates and encrypts: the one place that turns settings into
 * Kafka client keys (docs/design.md, security).
 *
 * <ul>
 *   <li>{@value #PROTOCOL}: PLAINTEXT (default), SASL_SSL, SASL_PLAINTEXT or SSL;
 *   <li>{@value #USERNAME} / {@value #PASSWORD}: the SCRAM principal and its password (or {@value
 *       #PASSWORD_FILE}), mechanism {@value #MECHANISM} (SCRAM-SHA-512 by default);
 *   <li>{@value #CA_FILE}: PEM file of the CA the broker's certificate is checked against (else the
 *       JVM's default trust), or {@value #CA_PEM} with the PEM text itself;
 *   <li>anything else as {@code swarm.kafka.client.<kafka key>} passed through as is.
 * </ul>
 *
 * <p>The host name in the broker's certificate is always verified (Kafka's default {@code https}
 * identification algorithm is kept).
 */
public final class KafkaSecurity {
  private KafkaSecurity() {}

  public static final String PREFIX = "swarm.kafka.";
  public static final String PROTOCOL = PREFIX + "security.protocol";
  public static final String MECHANISM = PREFIX + "sasl.mechanism";
  public static final String USERNAME = PREFIX + "sasl.username";
  public static final String PASSWORD = PREFIX + "sasl.password";
  public static final String PASSWORD_FILE = PREFIX + "sasl.password.file";
  public static final String CA_FILE = PREFIX + "ssl.ca";
  public static final String CA_PEM = PREFIX + "ssl.ca.pem";
  public static final String CLIENT_PREFIX = PREFIX + "client.";

  public static final String DEFAULT_MECHANISM = "SCRAM-SHA-512";

  /** The Kafka client keys for these settings; empty for a plaintext, anonymous client. */
  public static Map<String, Object> clientConfig(Settings settings) {
    Map<String, Object> c = new LinkedHashMap<>();
    String protocol =
        settings
            .oneOf(PROTOCOL, "PLAINTEXT", "PLAINTEXT", "SASL_SSL", "SASL_PLAINTEXT", "SSL")
            .toUpperCase(Locale.ROOT);
    if (!protocol.equals("PLAINTEXT")) {
      c.put("security.protocol", protocol);
    }
    if (protocol.startsWith("SASL_")) {
      String mechanism = settings.string(MECHANISM, DEFAULT_MECHANISM);
      String user =
          settings
              .optional(USERNAME)
              .orElseThrow(
                  () ->
                      new ConfigException(
                          USERNAME, "is required with " + PROTOCOL + "=" + protocol));
      String password = password(settings, protocol);
      c.put("sasl.mechanism", mechanism);
      String module =
          mechanism.startsWith("SCRAM-")
              ? "org.apache.kafka.common.security.scram.ScramLoginModule"
              : "org.apache.kafka.common.security.plain.PlainLoginModule";
      c.put(
          "sasl.jaas.config",
          module
              + " required username=\""
              + jaas(user)
              + "\" password=\""
              + jaas(password)
              + "\";");
    }
    if (protocol.endsWith("SSL")) {
      Optional<String> caFile = settings.optional(CA_FILE);
      Optional<String> caPem = settings.optional(CA_PEM);
      if (caFile.isPresent()) {
        c.put("ssl.truststore.type", "PEM");
        c.put("ssl.truststore.location", caFile.get());
      } else if (caPem.isPresent()) {
        c.put("ssl.truststore.type", "PEM");
        c.put("ssl.truststore.certificates", caPem.get());
      }
    }
    c.putAll(settings.withPrefix(CLIENT_PREFIX));
    return c;
  }

  /**
   * The SASL password of these settings' principal, when it authenticates with one (empty for a
   * plaintext or TLS-only client): a secret only that principal holds (PrincipalSeal keys on it).
   */
  public static Optional<String> saslPassword(Settings settings) {
    String protocol =
        settings
            .oneOf(PROTOCOL, "PLAINTEXT", "PLAINTEXT", "SASL_SSL", "SASL_PLAINTEXT", "SSL")
            .toUpperCase(Locale.ROOT);
    return protocol.startsWith("SASL_")
        ? Optional.of(password(settings, protocol))
        : Optional.empty();
  }

  /** {@link #clientConfig} into {@code props} (for Properties-based clients such as Streams). */
  public static Properties apply(Settings settings, Properties props) {
    clientConfig(settings).forEach(props::put);
    return props;
  }

  /**
   * {@link #clientConfig} plus {@code bootstrap.servers} from {@link CommonKeys#BOOTSTRAP_SERVERS}.
   */
  public static Map<String, Object> withBootstrap(Settings settings) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put(
        "bootstrap.servers",
        settings.string(
            CommonKeys.BOOTSTRAP_SERVERS, CommonKeys.DEFAULTS.get(CommonKeys.BOOTSTRAP_SERVERS)));
    c.putAll(clientConfig(settings));
    return c;
  }

  /** One line for a start-up security posture log. */
  public static String describe(Settings settings) {
    return describe(clientConfig(settings));
  }

  /** One line for a start-up security posture log, from Kafka client keys. */
  public static String describe(Map<String, ?> clientConfig) {
    Object configured = clientConfig.get("security.protocol");
    String protocol = configured == null ? "PLAINTEXT" : configured.toString();
    String encrypted = protocol.endsWith("SSL") ? "TLS-encrypted" : "NOT encrypted (plaintext)";
    String auth = "NOT authenticated (anonymous)";
    if (protocol.startsWith("SASL_")) {
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("username=\"([^\"]*)\"")
              .matcher(String.valueOf(clientConfig.get("sasl.jaas.config")));
      auth =
          "authenticated as User:"
              + (m.find() ? m.group(1) : "?")
              + " ("
              + clientConfig.get("sasl.mechanism")
              + ")";
    }
    return "Kafka " + encrypted + ", " + auth;
  }

  private static String password(Settings settings, String protocol) {
    Optional<String> inline = settings.optional(PASSWORD);
    if (inline.isPresent()) {
      return inline.get();
    }
    Optional<String> file = settings.optional(PASSWORD_FILE);
    if (file.isPresent()) {
      try {
        return java.nio.file.Files.readString(java.nio.file.Path.of(file.get())).strip();
      } catch (java.io.IOException e) {
        throw new ConfigException(
            PASSWORD_FILE, "cannot read " + file.get() + ": " + e.getMessage());
      }
    }
    throw new ConfigException(
        PASSWORD, "is required with " + PROTOCOL + "=" + protocol + " (or " + PASSWORD_FILE + ")");
  }

  /** A value inside a JAAS quoted string: backslash and quote escaped. */
  private static String jaas(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
