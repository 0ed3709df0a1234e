package io.swarmsched.runtime.auth;

import io.swarmsched.runtime.config.KafkaSecurity;
import io.swarmsched.runtime.config.Settings;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Makes a gateway's {@value RecordSignatures#PRINCIPAL} header unforgeable (docs/design.md,
 * "Security"). An HTTP gateway (heartbeat-ingest's, the dispatcher's) stamps each record it writes
 * with the poster's principal; any Kafka client allowed to write the same topic (an agent) could
 * stamp one too. So the gateway also writes {@value #MAC}: an HMAC-SHA256 over the principal and
 * the record's exact value bytes, keyed by a secret only the gateway's own service principal holds
 * (derived from its Kafka SASL password). The stream that reads the topic is the same service, with
 * the same secret: it believes the header only when the MAC verifies, and reads a record without a
 * valid one as coming from no principal. The MAC covers the value, so a valid pair cannot be moved
 * onto other bytes.
 *
 * <p>Without SASL (a plaintext development cluster, where any client may write anything anyway)
 * there is no secret: {@link #OFF} writes no MAC and believes the header as is.
 */
public final class PrincipalSeal {
  /** Header holding the MAC over principal and value. */
  public static final String MAC = "swarm-principal-mac";

  /** No secret: the header is written and believed as is. */
  public static final PrincipalSeal OFF = new PrincipalSeal(null);

  private static final String ALGORITHM = "HmacSHA256";
  private static final byte[] KEY_LABEL =
      "swarmsched principal seal v1".getBytes(StandardCharsets.UTF_8);

  private final SecretKeySpec key;

  private PrincipalSeal(SecretKeySpec key) {
    this.key = key;
  }

  /**
   * A seal keyed by {@code secret}; the key is HMAC(secret, a fixed label), so the MAC never
   * reveals anything of the secret itself.
   */
  public static PrincipalSeal of(String secret) {
    Objects.requireNonNull(secret, "secret");
    byte[] derived =
        hmac(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM), KEY_LABEL);
    return new PrincipalSeal(new SecretKeySpec(derived, ALGORITHM));
  }

  /** Keyed by the service principal's Kafka SASL password; {@link #OFF} without SASL. */
  public static PrincipalSeal from(Settings settings) {
    return KafkaSecurity.saslPassword(settings).map(PrincipalSeal::of).orElse(OFF);
  }

  public boolean enabled() {
    return key != null;
  }

  /**
   * Adds {@value RecordSignatures#PRINCIPAL} = {@code principal} and its MAC over {@code value} to
   * {@code headers} (replacing any there).
   */
  public void stamp(String principal, byte[] value, Headers headers) {
    headers.remove(RecordSignatures.PRINCIPAL);
    headers.remove(MAC);
    headers.add(RecordSignatures.PRINCIPAL, principal.getBytes(StandardCharsets.UTF_8));
    if (key != null) {
      headers.add(MAC, mac(principal, value));
    }
  }

  /**
   * The principal a gateway stamped on this record, or null when there is none or (sealed) its MAC
   * is missing or does not verify over these value bytes.
   */
  public String principal(byte[] value, Headers headers) {
    String principal = RecordSignatures.principal(headers);
    if (principal == null || key == null) {
      return principal;
    }
    byte[] mac = RecordSignatures.header(headers, MAC);
    if (mac == null || value == null) {
      return null;
    }
    return MessageDigest.isEqual(mac, mac(principal, value)) ? principal : null;
  }

  /**
   * A serializer that seals the principal its caller put in the record's headers (a producer of
   * typed values, whose bytes exist only inside the producer); records without one pass as they
   * are.
   */
  public <T> Serializer<T> sealing(Serializer<T> inner) {
    return new StampingSerializer<>(
        inner,
        (bytes, headers) -> {
          String principal = RecordSignatures.principal(headers);
          if (principal != null) {
            stamp(principal, bytes, headers);
          }
        });
  }

  private byte[] mac(String principal, byte[] value) {
    try {
      Mac m = Mac.getInstance(ALGORITHM);
      m.init(key);
      byte[] name = principal.getBytes(StandardCharsets.UTF_8);
      // the name's length first: no principal and value can be shifted into another pair
      m.update(java.nio.ByteBuffer.allocate(4).putInt(name.length).array());
      m.update(name);
      return m.doFinal(value);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
    }
  }

  private static byte[] hmac(SecretKeySpec key, byte[] data) {
    try {
      Mac m = Mac.getInstance(ALGORITHM);
      m.init(key);
      return m.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
    }
  }

  @Override
  public String toString() {
    return key == null ? "principal header unsealed" : "principal header sealed (HMAC-SHA256)";
  }
}
