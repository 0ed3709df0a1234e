package io.swarmsched.agent.storage;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * SHA-256 digests as swarmsched writes them: piece digests as plain hex, whole files as {@code
 * sha256:HEX}.
 */
public final class Digests {
  private Digests() {}

  public static final String SHA256_PREFIX = "sha256:";

  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }

  public static byte[] sha256(byte[] data, int offset, int length) {
    MessageDigest md = sha256();
    md.update(data, offset, length);
    return md.digest();
  }

  public static String sha256Hex(byte[] data) {
    return HexFormat.of().formatHex(sha256(data, 0, data.length));
  }

  /**
   * The hex of a whole-content digest given as {@code sha256:HEX} (or bare hex).
   *
   * @throws IllegalArgumentException when the algorithm is not sha256 or the hex is malformed
   */
  public static String parseSha256(String digest) {
    String d = digest.trim();
    int colon = d.indexOf(':');
    if (colon >= 0) {
      String algorithm = d.substring(0, colon).toLowerCase(Locale.ROOT);
      if (!algorithm.equals("sha256")) {
        throw new IllegalArgumentException(
            "unsupported digest algorithm '" + algorithm + "', expected sha256");
      }
      d = d.substring(colon + 1);
    }
    d = d.toLowerCase(Locale.ROOT);
    if (d.length() != 64 || !d.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      throw new IllegalArgumentException(
          "a sha256 digest is 64 hex characters, got '" + digest + "'");
    }
    return d;
  }
}
