package io.swarmsched.agent.download;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

final class ByteBuffers {
  private ByteBuffers() {}

  /** The file holds exactly these pieces, in order. */
  static void assertContent(Path file, byte[][] pieces) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (byte[] p : pieces) {
      all.write(p);
    }
    assertThat(Files.readAllBytes(file)).isEqualTo(all.toByteArray());
  }
}
