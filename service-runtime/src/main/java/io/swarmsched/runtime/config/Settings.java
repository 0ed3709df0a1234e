package io.swarmsched.runtime.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A service's configuration, built once at start-up from four layers, later ones winning: defaults
 * ({@link CommonKeys#DEFAULTS} plus the service's own) &lt; a properties file ({@code --config
 * FILE} or env {@code SWARM_CONFIG}) &lt; environment variables &lt; flags.
 *
 * <ul>
 *   <li>Environment: {@code SWARM_BOOTSTRAP_SERVERS} sets {@code swarm.bootstrap.servers}: the name
 *       is lower-cased, {@code __} becomes {@code -} and {@code _} becomes {@code .}. Only
 *       variables starting with {@code SWARM_} count ({@code SWARM_CONFIG} names the file).
 *   <li>Flags: {@code --swarm.x.y=v}, or {@code --set swarm.x.y=v}; {@code --config FILE}. Other
 *       arguments are left for the caller in {@link #unparsedArguments()}.
 * </ul>
 *
 * <p>Typed getters take the default and bounds; a value that does not parse or is out of range
 * throws {@link ConfigException} naming the key, the value and where it came from.
 */
public final class Settings {
  public static final String CONFIG_FLAG = "--config";
  public static final String CONFIG_ENV = "SWARM_CONFIG";
  private static final String ENV_PREFIX = "SWARM_";

  private final Map<String, String> values;
  private final Map<String, String> origins;
  private final List<String> unparsed;

  private Settings(Map<String, String> values, Map<String, String> origins, List<String> unparsed) {
    this.values = Collections.unmodifiableMap(new TreeMap<>(values));
    this.origins = Map.copyOf(origins);
    this.unparsed = List.copyOf(unparsed);
  }

  /** Exactly these values, no defaults, no environment: for tests. */
  public static Settings of(Map<String, String> values) {
    Map<String, String> origins = new LinkedHashMap<>();
    values.keySet().forEach(k -> origins.put(k, "given"));
    return new Settings(values, origins, List.of());
  }

  /** Loads from {@code args}, the process environment and {@link CommonKeys#DEFAULTS}. */
  public static Settings load(String[] args) {
    return load(args, System.getenv(), Map.of());
  }

  /**
   * Loads from {@code args}, {@code env} and the defaults: {@link CommonKeys#DEFAULTS} overlaid
   * with {@code serviceDefaults}.
   */
  public static Settings load(
      String[] args, Map<String, String> env, Map<String, String> serviceDefaults) {
    Map<String, String> values = new LinkedHashMap<>();
    Map<String, String> origins = new LinkedHashMap<>();
    putAll(values, origins, CommonKeys.DEFAULTS, "default");
    putAll(values, origins, serviceDefaults, "default");

    Map<String, String> flags = new LinkedHashMap<>();
    List<String> unparsed = new ArrayList<>();
    String configFile = parseArguments(args == null ? new String[0] : args, flags, unparsed);
    if (configFile == null) {
      configFile = env.get(CONFIG_ENV);
    }
    if (configFile != null && !configFile.isBlank()) {
      putAll(values, origins, readFile(Path.of(configFile)), "file " + configFile);
    }
    env.forEach(
        (name, value) -> {
          if (name.startsWith(ENV_PREFIX) && !name.equals(CONFIG_ENV)) {
            String key = envToKey(name);
            values.put(key, value);
            origins.put(key, "env " + name);
          }
        });
    flags.forEach(
        (key, value) -> {
          values.put(key, value);
          origins.put(key, "flag --" + key);
        });
    return new Settings(values, origins, unparsed);
  }

  /** {@code SWARM_HTTP_PORT} → {@code swarm.http.port}; {@code SWARM_A__B} → {@code swarm.a-b}. */
  public static String envToKey(String envName) {
    return envName
        .toLowerCase(Locale.ROOT)
        .replace("__", "\u0000")
        .replace('_', '.')
        .replace('\u0000', '-');
  }

  /** The environment variable that sets {@code key}. */
  public static String keyToEnv(String key) {
    return key.replace('-', '\u0000')
        .replace('.', '_')
        .replace("\u0000", "__")
        .toUpperCase(Locale.ROOT);
  }

  private static String parseArguments(
      String[] args, Map<String, String> flags, List<String> unparsed) {
    String configFile = null;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals(CONFIG_FLAG) || arg.equals("--set")) {
        if (i + 1 >= args.length) {
          throw new ConfigException(null, "flag " + arg + " needs a value");
        }
        String next = args[++i];
        if (arg.equals(CONFIG_FLAG)) {
          configFile = next;
        } else {
          putAssignment(next, "--set " + next, flags);
        }
      } else if (arg.startsWith(CONFIG_FLAG + "=")) {
        configFile = arg.substring(CONFIG_FLAG.length() + 1);
      } else if (arg.startsWith("--set=")) {
        putAssignment(arg.substring("--set=".length()), arg, flags);
      } else if (arg.startsWith("--swarm.")) {
        putAssignment(arg.substring(2), arg, flags);
      } else {
        unparsed.add(arg);
      }
    }
    return configFile;
  }

  private static void putAssignment(String assignment, String flag, Map<String, String> flags) {
    int eq = assignment.indexOf('=');
    if (eq <= 0) {
      throw new ConfigException(
          eq == 0 ? null : assignment,
          "flag " + flag + " needs the form key=value, e.g. --swarm.http.port=8080");
    }
    flags.put(assignment.substring(0, eq).trim(), assignment.substring(eq + 1));
  }

  private static Map<String, String> readFile(Path file) {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new ConfigException(null, "cannot read config file " + file + ": " + e, e);
    }
    Map<String, String> map = new LinkedHashMap<>();
    properties
        .stringPropertyNames()
        .forEach(name -> map.put(name, properties.getProperty(name).trim()));
    return map;
  }

  private static void putAll(
      Map<String, String> values,
      Map<String, String> origins,
      Map<String, String> layer,
      String origin) {
    layer.forEach(
        (key, value) -> {
          values.put(key, value);
          origins.put(key, origin);
        });
  }

  // ---------------------------------------------------------------- getters

  public Optional<String> optional(String key) {
    String value = values.get(key);
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
  }

  /** A required string. */
  public String string(String key) {
    return optional(key)
        .orElseThrow(
            () ->
                new ConfigException(
                    key,
                    "is required (flag --"
                        + key
                        + "=..., env "
                        + keyToEnv(key)
                        + ", or the config file)"));
  }

  public String string(String key, String defaultValue) {
    return optional(key).orElse(defaultValue);
  }

  /** One of {@code allowed} (case-insensitive, returned as written in {@code allowed}). */
  public String oneOf(String key, String defaultValue, String... allowed) {
    Optional<String> raw = optional(key);
    if (raw.isEmpty()) {
      return defaultValue;
    }
    for (String candidate : allowed) {
      if (candidate.equalsIgnoreCase(raw.get())) {
        return candidate;
      }
    }
    throw bad(key, raw.get(), "is not one of " + String.join(", ", allowed));
  }

  public <E extends Enum<E>> E enumValue(String key, Class<E> type, E defaultValue) {
    String[] names = Arrays.stream(type.getEnumConstants()).map(Enum::name).toArray(String[]::new);
    String name = oneOf(key, defaultValue == null ? null : defaultValue.name(), names);
    return name == null ? null : Enum.valueOf(type, name);
  }

  public int integer(String key, int defaultValue) {
    return integer(key, defaultValue, Integer.MIN_VALUE, Integer.MAX_VALUE);
  }

  public int integer(String key, int defaultValue, int min, int max) {
    return (int) longValue(key, defaultValue, min, max);
  }

  public long longValue(String key, long defaultValue) {
    return longValue(key, defaultValue, Long.MIN_VALUE, Long.MAX_VALUE);
  }

  public long longValue(String key, long defaultValue, long min, long max) {
    Optional<String> raw = optional(key);
    if (raw.isEmpty()) {
      return defaultValue;
    }
    long value;
    try {
      value = Long.parseLong(raw.get().replace("_", ""));
    } catch (NumberFormatException e) {
      throw bad(key, raw.get(), "is not a whole number");
    }
    return inRange(key, raw.get(), value, min, max);
  }

  public double decimal(String key, double defaultValue) {
    return decimal(key, defaultValue, -Double.MAX_VALUE, Double.MAX_VALUE);
  }

  public double decimal(String key, double defaultValue, double min, double max) {
    Optional<String> raw = optional(key);
    if (raw.isEmpty()) {
      return defaultValue;
    }
    double value;
    try {
      value = Double.parseDouble(raw.get());
    } catch (NumberFormatException e) {
      throw bad(key, raw.get(), "is not a number");
    }
    if (Double.isNaN(value) || value < min || value > max) {
      throw bad(key, raw.get(), "is outside [" + min + ", " + max + "]");
    }
    return value;
  }

  public boolean bool(String key, boolean defaultValue) {
    Optional<String> raw = optional(key);
    if (raw.isEmpty()) {
      return defaultValue;
    }
    switch (raw.get().toLowerCase(Locale.ROOT)) {
      case "true":
      case "yes":
      case "on":
      case "1":
        return true;
      case "false":
      case "no":
      case "off":
      case "0":
        return false;
      default:
        throw bad(key, raw.get(), "is not a boolean (true or false)");
    }
  }

  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

  /** "500ms", "10s", "5m", "1h", "2d", a combination ("1m30s"), or ISO-8601 ("PT10S"). */
  public Duration duration(String key, Duration defaultValue) {
    return duration(key, defaultValue, Duration.ZERO, null);
  }

  public Duration duration(String key, Duration defaultValue, Duration min, Duration max) {
    Optional<String> raw = optional(key);
    if (raw.isEmpty()) {
      return defaultValue;
    }
    Duration value =
        parseDuration(raw.get())
            .orElseThrow(
                () -> bad(key, raw.get(), "is not a duration (use e.g. 500ms, 10s, 5m, 1h)"));
    if ((min != null && value.compareTo(min) < 0) || (max != null && value.compareTo(max) > 0)) {
      throw bad(key, raw.get(), "is outside [" + min + ", " + (max == null ? "∞" : max) + "]");
    }
    return value;
  }

  static Optional<Duration> parseDuration(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    if (s.startsWith("pt") || s.startsWith("p")) {
      try {
        return Optional.of(Duration.parse(text.trim()));
      } catch (RuntimeException e) {
        return Optional.empty();
      }
    }
    Matcher m = DURATION.matcher(s);
    Duration total = Duration.ZERO;
    int end = 0;
    while (m.find()) {
      if (m.start() != end) {
        return Optional.empty();
      }
      long n = Long.parseLong(m.group(1));
      total =
          total.plus(
              switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
              });
      end = m.end();
    }
    return end == s.length() && end > 0 ? Optional.of(total) : Optional.empty();
  }

  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?");

  /**
   * A byte size: "1048576", "512KiB", "64MiB", "1GiB" (k/m/g and KB/MB/GB are read as powers of
   * 1024).
   */
  public long bytes(String key, long defaultValue, long min, long max) {
    Optional<String> raw = optional(key);
    if (raw.isEmpty()) {
      return defaultValue;
    }
    Matcher m = SIZE.matcher(raw.get().trim().toLowerCase(Locale.ROOT).replace("_", ""));
    if (!m.matches()) {
      throw bad(key, raw.get(), "is not a size (use e.g. 65536, 512KiB, 64MiB, 1GiB)");
    }
    long n;
    try {
      n = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      throw bad(key, raw.get(), "is too large");
    }
    String unit = m.group(2) == null ? "b" : m.group(2);
    long factor =
        switch (unit.charAt(0)) {
          case 'k' -> 1024L;
          case 'm' -> 1024L * 1024;
          case 'g' -> 1024L * 1024 * 1024;
          default -> 1L;
        };
    if (n > Long.MAX_VALUE / factor) {
      throw bad(key, raw.get(), "is too large");
    }
    return inRange(key, raw.get(), n * factor, min, max);
  }

  /** Comma-separated, trimmed, empty items dropped. */
  public List<String> list(String key, List<String> defaultValue) {
    Optional<String> raw = optional(key);
    if (raw.isEmpty()) {
      return defaultValue;
    }
    return Arrays.stream(raw.get().split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  /** Every key starting with {@code prefix}, with the prefix removed. */
  public Map<String, String> withPrefix(String prefix) {
    Map<String, String> result = new TreeMap<>();
    values.forEach(
        (key, value) -> {
          if (key.startsWith(prefix) && key.length() > prefix.length()) {
            result.put(key.substring(prefix.length()), value);
          }
        });
    return result;
  }

  /** Where {@code key}'s value came from: "default", "file X", "env X", "flag --x", "given". */
  public Optional<String> origin(String key) {
    return Optional.ofNullable(origins.get(key));
  }

  public Map<String, String> asMap() {
    return values;
  }

  /** Command-line arguments that were not settings, in order. */
  public List<String> unparsedArguments() {
    return unparsed;
  }

  /**
   * A copy in which each deprecated key that is set gives its value to its replacement, so old
   * config files, env vars and flags keep working through a rename. A value set under the new key
   * wins over the old one (unless it is only a default). Each old key in use is reported through
   * {@code warn} once per call.
   *
   * @param deprecatedToCurrent old key to the key that replaced it
   */
  public Settings withRenamedKeys(
      Map<String, String> deprecatedToCurrent, java.util.function.Consumer<String> warn) {
    Map<String, String> copy = new LinkedHashMap<>(values);
    Map<String, String> copyOrigins = new LinkedHashMap<>(origins);
    boolean changed = false;
    for (Map.Entry<String, String> rename : deprecatedToCurrent.entrySet()) {
      String old = rename.getKey();
      String current = rename.getValue();
      if (!values.containsKey(old)) {
        continue;
      }
      String oldOrigin = origins.getOrDefault(old, "given");
      String currentOrigin = origins.get(current);
      if (currentOrigin == null || currentOrigin.equals("default")) {
        copy.put(current, values.get(old));
        copyOrigins.put(current, oldOrigin + ", deprecated key " + old);
        warn.accept(old + " (" + oldOrigin + ") is deprecated; use " + current);
      } else {
        warn.accept(
            old
                + " ("
                + oldOrigin
                + ") is deprecated and ignored: "
                + current
                + " is set ("
                + currentOrigin
                + ")");
      }
      copy.remove(old);
      copyOrigins.remove(old);
      changed = true;
    }
    return changed ? new Settings(copy, copyOrigins, unparsed) : this;
  }

  /**
   * Keys under {@code prefix} that are set but not in {@code known}, each with its origin: most
   * likely typos, which would otherwise be ignored without a word. Services log them at start-up.
   */
  public List<String> unknownKeys(String prefix, java.util.Collection<String> known) {
    List<String> unknown = new ArrayList<>();
    values.forEach(
        (key, value) -> {
          if (key.startsWith(prefix) && !known.contains(key)) {
            unknown.add(key + " (" + origins.getOrDefault(key, "given") + ")");
          }
        });
    return unknown;
  }

  /** A copy with {@code key} set (tests, derived values such as a chosen port). */
  public Settings with(String key, String value) {
    Map<String, String> copy = new LinkedHashMap<>(values);
    Map<String, String> copyOrigins = new LinkedHashMap<>(origins);
    copy.put(key, value);
    copyOrigins.put(key, "given");
    return new Settings(copy, copyOrigins, unparsed);
  }

  private long inRange(String key, String raw, long value, long min, long max) {
    if (value < min || value > max) {
      throw bad(key, raw, "is outside [" + min + ", " + max + "]");
    }
    return value;
  }

  private ConfigException bad(String key, String raw, String problem) {
    String origin = origins.get(key);
    return new ConfigException(
        key, "'" + raw + "' " + problem + (origin == null ? "" : " (from " + origin + ")"));
  }

  @Override
  public String toString() {
    return "Settings" + values;
  }
}
