package io.swarmsched.ingest.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.ingest.Heartbeats;
import io.swarmsched.schemas.HostHeartbeat;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class HeartbeatValidatorTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private final HeartbeatValidator validator = new HeartbeatValidator(ValidationLimits.defaults());

  private Optional<Violation> validate(Consumer<HostHeartbeat> change) {
    HostHeartbeat hb = Heartbeats.valid("h1", 1, NOW).build();
    change.accept(hb);
    return validator.validate("h1", hb, 500, NOW);
  }

  private void assertRefused(Consumer<HostHeartbeat> change, String field) {
    Optional<Violation> violation = validate(change);
    assertThat(violation).as("violation").isPresent();
    assertThat(violation.get().field()).isEqualTo(field);
    assertThat(violation.get().message()).startsWith(field + ": ");
  }

  @Test
  void acceptsAPlausibleHeartbeat() {
    assertThat(validate(hb -> {})).isEmpty();
  }

  @Test
  void acceptsUnknownCapacitiesAsZero() {
    assertThat(
            validate(
                hb -> {
                  hb.setCapacity(io.swarmsched.schemas.HostCapacity.newBuilder().build());
                  hb.setLoad(
                      io.swarmsched.schemas.HostLoad.newBuilder().setConcurrentUploads(5).build());
                }))
        .isEmpty();
  }

  @Test
  void refusesARecordOverTheSizeLimit() {
    HostHeartbeat hb = Heartbeats.valid("h1", 1, NOW).build();
    Optional<Violation> v = validator.validate("h1", hb, 64 * 1024 + 1, NOW);
    assertThat(v).map(Violation::field).contains("record");
  }

  @Test
  void refusesABlankHostId() {
    assertRefused(hb -> hb.setHostId(" "), "host_id");
  }

  @Test
  void refusesAMissingPieceServerAddress() {
    assertRefused(hb -> hb.setPieceServerAddress(""), "piece_server_address");
  }

  @Test
  void refusesAMissingType() {
    assertRefused(hb -> hb.setType(null), "type");
  }

  @Test
  void refusesMissingCapacityAndLoad() {
    assertRefused(hb -> hb.setCapacity(null), "capacity");
    assertRefused(hb -> hb.setLoad(null), "load");
  }

  @Test
  void refusesAKeyThatIsNotTheHostId() {
    HostHeartbeat hb = Heartbeats.valid("h1", 1, NOW).build();
    assertThat(validator.validate("h2", hb, 500, NOW)).map(Violation::field).contains("host_id");
    assertThat(validator.validate(null, hb, 500, NOW)).map(Violation::field).contains("key");
  }

  @Test
  void refusesOverlongStrings() {
    assertRefused(hb -> hb.setLocation("x".repeat(1025)), "location");
  }

  @Test
  void refusesAnAddressWithoutAValidPort() {
    assertRefused(hb -> hb.setPieceServerAddress("10.0.0.7"), "piece_server_address");
    assertRefused(hb -> hb.setPieceServerAddress("10.0.0.7:http"), "piece_server_address");
    assertRefused(hb -> hb.setPieceServerAddress("10.0.0.7:70000"), "piece_server_address");
  }

  @Test
  void refusesBlankOrTooManyTags() {
    assertRefused(hb -> hb.setTags(new ArrayList<>(List.of("gpu", " "))), "tags[1]");
    assertRefused(hb -> hb.setTags(new ArrayList<>(Collections.nCopies(257, "t"))), "tags");
  }

  @Test
  void refusesANegativeSequence() {
    assertRefused(hb -> hb.setSequence(-1), "sequence");
  }

  @Test
  void refusesATimestampMoreThanThirtySecondsAhead() {
    assertThat(validate(hb -> hb.setTimestamp(NOW.plusSeconds(30)))).isEmpty();
    assertRefused(hb -> hb.setTimestamp(NOW.plusSeconds(31)), "timestamp");
    // issue 18's forged heartbeat
    assertRefused(hb -> hb.setTimestamp(NOW.plusSeconds(50)), "timestamp");
  }

  @Test
  void refusesATimestampMoreThanADayBehind() {
    assertThat(validate(hb -> hb.setTimestamp(NOW.minus(java.time.Duration.ofHours(23)))))
        .isEmpty();
    assertRefused(hb -> hb.setTimestamp(Instant.parse("1970-01-02T00:00:00Z")), "timestamp");
    assertRefused(hb -> hb.setTimestamp(NOW.minus(java.time.Duration.ofDays(2))), "timestamp");
  }

  @Test
  void refusesANonPositiveTimestamp() {
    assertRefused(hb -> hb.setTimestamp(Instant.EPOCH), "timestamp");
  }

  @Test
  void refusesNegativeCapacities() {
    assertRefused(hb -> hb.getCapacity().setMaxTxBytesPerSec(-5), "capacity.max_tx_bytes_per_sec");
    assertRefused(hb -> hb.getCapacity().setUploadSlotLimit(-1), "capacity.upload_slot_limit");
  }

  @Test
  void refusesBandwidthAboveOneTerabitPerSecond() {
    assertThat(validate(hb -> hb.getCapacity().setMaxTxBytesPerSec(125_000_000_000L))).isEmpty();
    assertRefused(
        hb -> hb.getCapacity().setMaxTxBytesPerSec(125_000_000_001L),
        "capacity.max_tx_bytes_per_sec");
    assertRefused(
        hb -> hb.getCapacity().setMaxRxBytesPerSec(Long.MAX_VALUE),
        "capacity.max_rx_bytes_per_sec");
    assertRefused(hb -> hb.getLoad().setTxBytesPerSec(200_000_000_000L), "load.tx_bytes_per_sec");
  }

  @Test
  void refusesMoreThan4096Cores() {
    assertThat(validate(hb -> hb.getCapacity().setCpuCores(4096))).isEmpty();
    assertRefused(hb -> hb.getCapacity().setCpuCores(4097), "capacity.cpu_cores");
  }

  @Test
  void refusesMoreThan64TiBOfMemory() {
    assertRefused(hb -> hb.getCapacity().setMemoryBytes((64L << 40) + 1), "capacity.memory_bytes");
    assertRefused(hb -> hb.getLoad().setMemoryUsedBytes(-1), "load.memory_used_bytes");
  }

  @Test
  void refusesGpuModelsBeyondTheGpuCount() {
    assertRefused(hb -> hb.getCapacity().setGpus(0), "capacity.gpu_models");
  }

  @Test
  void refusesCpuUsageOutsideZeroToOne() {
    assertRefused(hb -> hb.getLoad().setCpuUsage(1.5), "load.cpu_usage");
    assertRefused(hb -> hb.getLoad().setCpuUsage(-0.1), "load.cpu_usage");
    assertRefused(hb -> hb.getLoad().setCpuUsage(Double.NaN), "load.cpu_usage");
  }

  @Test
  void refusesConcurrentUploadsFarBeyondTheSlotLimit() {
    assertThat(validate(hb -> hb.getLoad().setConcurrentUploads(200))).isEmpty();
    Optional<Violation> v = validate(hb -> hb.getLoad().setConcurrentUploads(201));
    assertThat(v).map(Violation::field).contains("load.concurrent_uploads");
    assertThat(v.get().reason()).contains("capacity.upload_slot_limit");
    assertRefused(hb -> hb.getLoad().setConcurrentUploads(-1), "load.concurrent_uploads");
  }

  @Test
  void refusesRunningTasksFarBeyondMaxTasks() {
    assertRefused(hb -> hb.getLoad().setRunningTasks(33), "load.running_tasks");
  }
}
