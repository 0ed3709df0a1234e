package io.swarmsched.replay;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A file of JSON lines, each written as it comes. */
final class JsonLines implements AutoCloseable {
  private final Path file;
  private final BufferedWriter out;
  private final ObjectMapper json = new ObjectMapper();

  /** Opens {@code dir}/{@code name} for writing (the directory is made when missing). */
  JsonLines(Path dir, String name) {
    file = dir.resolve(name);
    try {
      Files.createDirectories(dir);
      out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ReplayException("cannot write to " + dir + ": " + e.getMessage(), e);
    }
  }

  void write(Object value) {
    try {
      out.write(json.writeValueAsString(value));
      out.newLine();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  @Override
  public void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
