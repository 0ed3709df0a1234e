package io.swarmsched.ingest.http;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;

/**
 * Avro records as plain JSON-ready maps: the record's own snake_case field names, timestamps as
 * epoch millis, enums as their names. The same field names a heartbeat is posted with.
 */
public final class HostJson {
  private HostJson() {}

  public static Map<String, Object> toMap(IndexedRecord record) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Schema.Field field : record.getSchema().getFields()) {
      out.put(field.name(), plain(record.get(field.pos())));
    }
    return out;
  }

  private static Object plain(Object value) {
    if (value instanceof IndexedRecord r) {
      return toMap(r);
    }
    if (value instanceof Instant i) {
      return i.toEpochMilli();
    }
    if (value instanceof Enum<?> e) {
      return e.name();
    }
    if (value instanceof CharSequence s) {
      return s.toString();
    }
    if (value instanceof List<?> list) {
      List<Object> out = new ArrayList<>(list.size());
      for (Object item : list) {
        out.add(plain(item));
      }
      return out;
    }
    return value;
  }
}
