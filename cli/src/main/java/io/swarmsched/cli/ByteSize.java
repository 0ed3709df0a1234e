package io.swarmsched.cli;

import io.swarmsched.runtime.config.ConfigException;
import io.swarmsched.runtime.config.Settings;
import java.util.Map;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses sizes and rates like {@code 256MiB}, {@code 32MiB} (per second), {@code 65536}. */
final class ByteSize implements ITypeConverter<Long> {
  @Override
  public Long convert(String value) {
    try {
      return Settings.of(Map.of("size", value)).bytes("size", 0, 0, Long.MAX_VALUE);
    } catch (ConfigException e) {
      throw new TypeConversionException(
          "'" + value + "' is not a size (use e.g. 65536, 512KiB, 64MiB, 1GiB)");
    }
  }
}
