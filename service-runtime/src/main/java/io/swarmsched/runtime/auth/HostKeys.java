package io.swarmsched.runtime.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/** Ed25519 public keys: decoding (cached), verification, printable ids, the key file format. */
public final class HostKeys {
  private HostKeys() {}

  /** Decoded keys by their base64 encoding; a few per host, so bounded by a simple reset. */
  private static final Map<String, PublicKey> DECODED = new ConcurrentHashMap<>();

  private static final int MAX_CACHED = 100_000;

  /** The public key of an X.509 encoding; IllegalArgumentException when it is not Ed25519. */
  public static PublicKey decode(byte[] x509) {
    String k = Base64.getEncoder().encodeToString(x509);
    PublicKey cached = DECODED.get(k);
    if (cached != null) {
      return cached;
    }
    try {
      PublicKey key =
          KeyFactory.getInstance(HostKeyPair.ALGORITHM)
              .generatePublic(new X509EncodedKeySpec(x509));
      if (DECODED.size() >= MAX_CACHED) {
        DECODED.clear();
      }
      DECODED.put(k, key);
      return key;
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException("not an X.509-encoded Ed25519 public key", e);
    }
  }

  /** Whether {@code signature} is a valid Ed25519 signature of {@code bytes} by {@code x509}. */
  public static boolean verify(byte[] x509, byte[] bytes, byte[] signature) {
    if (signature == null || signature.length != Ed25519.SIGNATURE_SIZE || bytes == null) {
      return false;
    }
    try {
      decode(x509); // an X.509 Ed25519 key (cached), so the last 32 bytes are the raw key
    } catch (IllegalArgumentException e) {
      return false; // a malformed key verifies nothing
    }
    // The same RFC 8032 check as the JDK's "Ed25519" Signature (HostKeysTest compares them), at
    // about a seventh of its CPU on JDK 17: every heartbeat and request of a bound host pays it.
    int at = x509.length - Ed25519.PUBLIC_KEY_SIZE;
    return Ed25519.verify(signature, 0, x509, at, bytes, 0, bytes.length);
  }

  /** The first 16 hex digits of the SHA-256 of the encoded key: short enough for logs. */
  public static String keyId(byte[] x509) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(x509);
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A public key as an operator writes it in a file: base64 of the X.509 encoding, or the PEM
   * "PUBLIC KEY" block that {@code openssl pkey -pubout} prints. The second line of an agent's
   * {@value HostKeyPair#FILE_NAME} is the same base64.
   */
  public static byte[] parsePublicKeyText(String text) {
    String body =
        text.replace("-----BEGIN PUBLIC KEY-----", "")
            .replace("-----END PUBLIC KEY-----", "")
            .replaceAll("\\s+", "");
    byte[] x509;
    try {
      x509 = Base64.getDecoder().decode(body.getBytes(StandardCharsets.US_ASCII));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("public key: not base64 or PEM", e);
    }
    decode(x509);
    return x509;
  }
}
