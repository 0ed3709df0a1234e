package io.swarmsched.runtime.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HostKeyPair signs with BouncyCastle's RFC 8032 code; Ed25519 is deterministic, so its signatures
 * must be byte for byte the JDK provider's for the same key and message.
 */
class HostKeyPairTest {

  @TempDir Path dir;

  private static byte[] jdkSign(PrivateKey key, byte[] msg) throws Exception {
    Signature s = Signature.getInstance("Ed25519");
    s.initSign(key);
    s.update(msg);
    return s.sign();
  }

  @Test
  void signaturesAreTheJdkProvidersByteForByte() throws Exception {
    Random r = new Random(11);
    for (int k = 0; k < 5; k++) {
      Path keyDir = Files.createDirectories(dir.resolve("host" + k));
      HostKeyPair pair = HostKeyPair.loadOrCreate(keyDir);
      List<String> lines = Files.readAllLines(keyDir.resolve(HostKeyPair.FILE_NAME));
      PrivateKey jdkKey =
          KeyFactory.getInstance("Ed25519")
              .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(lines.get(0))));
      for (int i = 0; i < 40; i++) {
        byte[] msg = new byte[i == 0 ? 0 : r.nextInt(600)];
        r.nextBytes(msg);
        byte[] ours = pair.sign(msg);
        assertThat(ours).isEqualTo(jdkSign(jdkKey, msg));
        assertThat(HostKeys.verify(pair.publicKey(), msg, ours)).isTrue();
      }
      // the same pair read back from its file signs the same way
      assertThat(HostKeyPair.loadOrCreate(keyDir).sign(new byte[] {1, 2, 3}))
          .isEqualTo(pair.sign(new byte[] {1, 2, 3}));
    }
  }

  @Test
  void aGeneratedPairsSignaturesVerifyAndATamperedOneDoesNot() {
    HostKeyPair pair = HostKeyPair.generate();
    byte[] msg = "heartbeat".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] sig = pair.sign(msg);
    assertThat(HostKeys.verify(pair.publicKey(), msg, sig)).isTrue();
    sig[5] ^= 1;
    assertThat(HostKeys.verify(pair.publicKey(), msg, sig)).isFalse();
  }
}
