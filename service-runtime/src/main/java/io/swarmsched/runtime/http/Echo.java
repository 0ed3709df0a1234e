package io.swarmsched.runtime.http;

/**
 * Client input quoted back in an error message is cut to {@link #MAX_CHARS} characters, so an error
 * for a 64 KiB id is not itself 64 KiB (and a caller's logs are not flooded with it).
 */
public final class Echo {
  /** Most characters of client input an error message quotes. */
  public static final int MAX_CHARS = 100;

  private Echo() {}

  /**
   * {@code s} itself when short; else its first {@link #MAX_CHARS} characters and how long it was.
   */
  public static String truncate(String s) {
    if (s == null || s.length() <= MAX_CHARS) {
      return s;
    }
    int end = MAX_CHARS;
    if (Character.isHighSurrogate(s.charAt(end - 1))) {
      end--; // do not cut a surrogate pair in half
    }
    return s.substring(0, end) + "...(" + s.length() + " chars)";
  }

  /**
   * {@code message} with every run of non-space (or of space) characters longer than {@link
   * #MAX_CHARS} cut by {@link #truncate}: an echoed id is one such run, while prose is left as it
   * is.
   */
  public static String truncateLongWords(String message) {
    if (message == null || message.length() <= MAX_CHARS) {
      return message;
    }
    StringBuilder out = new StringBuilder(Math.min(message.length(), 4 * MAX_CHARS));
    int i = 0;
    while (i < message.length()) {
      int end = i;
      boolean space = Character.isWhitespace(message.charAt(i));
      while (end < message.length() && Character.isWhitespace(message.charAt(end)) == space) {
        end++;
      }
      String run = message.substring(i, end);
      out.append(truncate(run));
      i = end;
    }
    return out.toString();
  }

  /** {@code s} escaped for a JSON string literal. */
  public static String jsonEscape(String s) {
    StringBuilder out = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }
}
