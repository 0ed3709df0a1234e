package io.swarmsched.cli;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A point in time on the command line: an ISO-8601 instant ({@code 2026-12-04T19:00:00Z}), {@code
 * now}, or a duration back from now ({@code 15m}, {@code 1h30m}, {@code 90s}, {@code 2d}, {@code
 * 500ms}, or ISO-8601 {@code PT15M}).
 */
final class TimeArg {
  private TimeArg() {}

  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  static Instant parse(String option, String text, Clock clock) {
    String t = text == null ? "" : text.strip();
    if (t.equalsIgnoreCase("now")) return clock.instant();
    if (!t.isEmpty() && Character.isDigit(t.charAt(0)) && t.contains("T")) {
      try {
        return Instant.parse(t);
      } catch (DateTimeParseException e) {
        throw new CommandFailure(
            option + " '" + text + "': not an ISO-8601 instant such as 2026-12-04T19:00:00Z");
      }
    }
    return clock.instant().minus(duration(option, t));
  }

  static Duration duration(String option, String text) {
    String t = text.toLowerCase(Locale.ROOT);
    if (t.startsWith("pt") || t.startsWith("p")) {
      try {
        return Duration.parse(text.toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException e) {
        throw bad(option, text);
      }
    }
    Matcher m = PART.matcher(t);
    int at = 0;
    Duration d = Duration.ZERO;
    while (at < t.length() && m.find(at) && m.start() == at) {
      long n = Long.parseLong(m.group(1));
      d =
          d.plus(
              switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
              });
      at = m.end();
    }
    if (t.isEmpty() || at != t.length()) throw bad(option, text);
    return d;
  }

  private static CommandFailure bad(String option, String text) {
    return new CommandFailure(
        option
            + " '"
            + text
            + "': expected an ISO-8601 instant (2026-12-04T19:00:00Z), now, or a duration back"
            + " from now (15m, 1h30m, 90s, 2d)");
  }
}
