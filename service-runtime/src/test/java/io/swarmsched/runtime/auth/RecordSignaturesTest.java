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
    assertThat(HostAuthenticity.check("h1", binding, VALUE, signed, PrincipalSeal.OFF)).isNull();

    assertThat(HostAuthenticity.check("h1", binding, VALUE, new RecordHeaders(), PrincipalSeal.OFF))
        .isEqualTo("host 'h1' is bound to key " + real.keyId() + "; the record is not signed");

    RecordHeaders forged = new RecordHeaders();
    RecordSignatures.sign(forger, VALUE, forged);
    assertThat(HostAuthenticity.check("h1", binding, VALUE, forged, PrincipalSeal.OFF))
        .contains("signed by another key, " + forger.keyId());

    // the real key's headers moved onto other bytes
    assertThat(HostAuthenticity.check("h1", binding, "other".getBytes(), signed, PrincipalSeal.OFF))
        .contains("does not verify");

    // unbound: nothing to check here
    assertThat(HostAuthenticity.check("h1", null, VALUE, new RecordHeaders(), PrincipalSeal.OFF))
        .isNull();
  }

  @Test
  void aSealedPrincipalHeaderIsBelievedAndOneAnyClientCouldWriteIsNot() {
    HostKey binding =
        HostKey.newBuilder()
            .setHostId("w1")
            .setPrincipal("team-a")
            .setBoundAt(Instant.EPOCH)
            .setBoundBy("first-http-heartbeat")
            .build();
    PrincipalSeal gateway = PrincipalSeal.of("ingest-kafka-password");
    RecordHeaders sealed = new RecordHeaders();
    gateway.stamp("team-a", VALUE, sealed);
    // what an agent allowed to write heartbeats can do: the header alone, or a MAC of its own
    RecordHeaders bare = new RecordHeaders();
    bare.add(RecordSignatures.PRINCIPAL, "team-a".getBytes(StandardCharsets.UTF_8));
    RecordHeaders otherSecret = new RecordHeaders();
    PrincipalSeal.of("a-guess").stamp("team-a", VALUE, otherSecret);

    assertThat(gateway.principal(VALUE, sealed)).isEqualTo("team-a");
    assertThat(HostAuthenticity.check("w1", binding, VALUE, sealed, gateway)).isNull();
    assertThat(gateway.principal(VALUE, bare)).isNull();
    assertThat(gateway.principal(VALUE, otherSecret)).isNull();
    assertThat(HostAuthenticity.check("w1", binding, VALUE, bare, gateway))
        .isEqualTo(
            "host 'w1' is bound to principal 'team-a'; the record comes from no gateway (its"
                + " principal header is not sealed by the gateway)");
    // the MAC covers the bytes: a sealed header moved onto another value is not believed
    assertThat(gateway.principal("other".getBytes(StandardCharsets.UTF_8), sealed)).isNull();
    // nor a sealed header whose principal was rewritten
    sealed.remove(RecordSignatures.PRINCIPAL);
    sealed.add(RecordSignatures.PRINCIPAL, "team-b".getBytes(StandardCharsets.UTF_8));
    assertThat(gateway.principal(VALUE, sealed)).isNull();
    // without SASL there is no secret: the header is believed as it is
    assertThat(PrincipalSeal.OFF.principal(VALUE, bare)).isEqualTo("team-a");
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
    assertThat(HostAuthenticity.check("w1", binding, VALUE, fromA, PrincipalSeal.OFF)).isNull();
    assertThat(HostAuthenticity.check("w1", binding, VALUE, fromB, PrincipalSeal.OFF))
        .isEqualTo(
            "host 'w1' is bound to principal 'team-a'; the record comes from principal 'team-b'");
    assertThat(HostAuthenticity.check("w1", binding, VALUE, new RecordHeaders(), PrincipalSeal.OFF))
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
