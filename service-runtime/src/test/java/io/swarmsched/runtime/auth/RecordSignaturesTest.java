package io.swarmsched.runtime.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swarmsched.schemas.HostKey;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordSignaturesTest {
  private static final byte[] VALUE = "a heartbeat".getBytes(StandardCharsets.UTF_8);

  @Test
  void aSignatureVerifiesForExactlyTheSignedBytesAndKey() {
    HostKeyPair key = HostKeyPair.generate();
    RecordHeaders headers = new RecordHeaders();
    RecordSignatures.sign(key, VALUE, headers);

    RecordSignatures.Verification ok = RecordSignatures.verify(VALUE, headers);
    assertThat(ok.valid()).isTrue();
    assertThat(ok.validFor(key.publicKey())).isTrue();
    assertThat(ok.validFor(HostKeyPair.generate().publicKey())).isFalse();

    byte[] tampered = VALUE.clone();
    tampered[0] ^= 1;
    RecordSignatures.Verification bad = RecordSignatures.verify(tampered, headers);
    assertThat(bad.status()).isEqualTo(RecordSignatures.Verification.Status.INVALID);
    assertThat(bad.problem()).contains("does not verify").contains(key.keyId());
  }

  @Test
  void missingOrBrokenHeadersAreUnsignedOrInvalid() {
    assertThat(RecordSignatures.verify(VALUE, new RecordHeaders()).status())
        .isEqualTo(RecordSignatures.Verification.Status.UNSIGNED);
    RecordHeaders onlySig = new RecordHeaders();
    onlySig.add(RecordSignatures.SIGNATURE, new byte[64]);
    assertThat(RecordSignatures.verify(VALUE, onlySig).problem()).contains("only one of");
    RecordHeaders garbageKey = new RecordHeaders();
    garbageKey.add(RecordSignatures.SIGNATURE, new byte[64]);
    garbageKey.add(RecordSignatures.PUBLIC_KEY, new byte[] {1, 2, 3});
    assertThat(RecordSignatures.verify(VALUE, garbageKey).problem())
        .contains("not an Ed25519 public key");
  }

  @Test
  void authenticityAgainstAKeyBinding() {
    HostKeyPair real = HostKeyPair.generate();
    HostKeyPair forger = HostKeyPair.generate();
    HostKey binding = keyBinding("h1", real);

    RecordHeaders signed = new RecordHeaders();
    RecordSignatures.sign(real, VALUE, signed);
    assertThat(HostAuthenticity.check("h1", binding, VALUE, signed)).isNull();

    assertThat(HostAuthenticity.check("h1", binding, VALUE, new RecordHeaders()))
        .isEqualTo("host 'h1' is bound to key " + real.keyId() + "; the record is not signed");

    RecordHeaders forged = new RecordHeaders();
    RecordSignatures.sign(forger, VALUE, forged);
    assertThat(HostAuthenticity.check("h1", binding, VALUE, forged))
        .contains("signed by another key, " + forger.keyId());

    // the real key's headers moved onto other bytes
    assertThat(HostAuthenticity.check("h1", binding, "other".getBytes(), signed))
        .contains("does not verify");

    // unbound: nothing to check here
    assertThat(HostAuthenticity.check("h1", null, VALUE, new RecordHeaders())).isNull();
  }

  @Test
  void authenticityAgainstAPrincipalBinding() {
    HostKey binding =
        HostKey.newBuilder()
            .setHostId("w1")
            .setPrincipal("team-a")
            .setBoundAt(Instant.EPOCH)
            .setBoundBy("first-http-heartbeat")
            .build();
    RecordHeaders fromA = new RecordHeaders();
    fromA.add(RecordSignatures.PRINCIPAL, "team-a".getBytes(StandardCharsets.UTF_8));
    RecordHeaders fromB = new RecordHeaders();
    fromB.add(RecordSignatures.PRINCIPAL, "team-b".getBytes(StandardCharsets.UTF_8));
    assertThat(HostAuthenticity.check("w1", binding, VALUE, fromA)).isNull();
    assertThat(HostAuthenticity.check("w1", binding, VALUE, fromB))
        .isEqualTo(
            "host 'w1' is bound to principal 'team-a'; the record comes from principal 'team-b'");
    assertThat(HostAuthenticity.check("w1", binding, VALUE, new RecordHeaders()))
        .endsWith("comes from no principal");
  }

  @Test
  void theSigningSerializerSignsTheExactSerializedBytes() {
    HostKeyPair key = HostKeyPair.generate();
    SigningSerializer<String> s = new SigningSerializer<>(new StringSerializer(), key);
    RecordHeaders headers = new RecordHeaders();
    byte[] bytes = s.serialize("t", headers, "hello");
    assertThat(RecordSignatures.verify(bytes, headers).validFor(key.publicKey())).isTrue();
    // signing again (a retry) replaces, not accumulates, the headers
    s.serialize("t", headers, "hello");
    assertThat(headers.headers(RecordSignatures.SIGNATURE)).hasSize(1);
  }

  @Test
  void theKeyFileIsCreatedOwnerOnlyAndReloadedAsTheSameKey(@TempDir Path dir) throws Exception {
    HostKeyPair first = HostKeyPair.loadOrCreate(dir);
    Path file = dir.resolve(HostKeyPair.FILE_NAME);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    HostKeyPair again = HostKeyPair.loadOrCreate(dir);
    assertThat(again.publicKey()).isEqualTo(first.publicKey());
    byte[] pub =
        HostKeys.parsePublicKeyText(Files.readString(dir.resolve(HostKeyPair.PUBLIC_FILE_NAME)));
    assertThat(pub).isEqualTo(first.publicKey());

    Files.writeString(file, "garbage\n");
    assertThatThrownBy(() -> HostKeyPair.loadOrCreate(dir))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(file.toString());
  }

  @Test
  void anOperatorsPublicKeyFileMayBePem() {
    HostKeyPair key = HostKeyPair.generate();
    String pem =
        "-----BEGIN PUBLIC KEY-----\n"
            + java.util.Base64.getMimeEncoder().encodeToString(key.publicKey())
            + "\n-----END PUBLIC KEY-----\n";
    assertThat(HostKeys.parsePublicKeyText(pem)).isEqualTo(key.publicKey());
    assertThatThrownBy(() -> HostKeys.parsePublicKeyText("not a key"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  static HostKey keyBinding(String host, HostKeyPair key) {
    return HostKey.newBuilder()
        .setHostId(host)
        .setPublicKey(ByteBuffer.wrap(key.publicKey()))
        .setBoundAt(Instant.EPOCH)
        .setBoundBy("first-heartbeat")
        .build();
  }
}
