package io.swarmsched.registry.client;

/**
 * A failed registry call. {@link #status()} is the HTTP status (0 when the registry could not be
 * reached at all) and {@link #errorCode()} Confluent's {@code error_code} from the response body
 * (e.g. 40401 subject not found, 40403 schema not found, 409 incompatible schema), or the HTTP
 * status when the body carried none.
 */
public class RegistryException extends RuntimeException {
  /** Subject not found. */
  public static final int SUBJECT_NOT_FOUND = 40401;

  /** Version not found. */
  public static final int VERSION_NOT_FOUND = 40402;

  /** Schema not found. */
  public static final int SCHEMA_NOT_FOUND = 40403;

  /** Subject compatibility level not configured. */
  public static final int SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED = 40408;

  /** Schema is incompatible with an earlier schema of the subject. */
  public static final int INCOMPATIBLE_SCHEMA = 409;

  /** Invalid Avro schema. */
  public static final int INVALID_SCHEMA = 42201;

  /** Invalid version. */
  public static final int INVALID_VERSION = 42202;

  /** Invalid compatibility level. */
  public static final int INVALID_COMPATIBILITY_LEVEL = 42203;

  /** Error in the backend data store. */
  public static final int STORE_ERROR = 50001;

  /** Status used when no HTTP response was received. */
  public static final int UNREACHABLE = 0;

  private final int status;
  private final int errorCode;

  public RegistryException(int status, int errorCode, String message) {
    this(status, errorCode, message, null);
  }

  public RegistryException(int status, int errorCode, String message, Throwable cause) {
    super(message + " (status " + status + ", error_code " + errorCode + ")", cause);
    this.status = status;
    this.errorCode = errorCode;
  }

  /** HTTP status of the response, or {@link #UNREACHABLE}. */
  public int status() {
    return status;
  }

  /** Confluent error code from the response body, or the HTTP status when it had none. */
  public int errorCode() {
    return errorCode;
  }

  /** True for "subject not found", "version not found" and "schema not found". */
  public boolean isNotFound() {
    return status == 404;
  }

  static RegistryException subjectNotFound(String subject) {
    return new RegistryException(404, SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
  }

  static RegistryException versionNotFound(String subject, int version) {
    return new RegistryException(
        404,
        VERSION_NOT_FOUND,
        "Version " + version + " not found under subject '" + subject + "'.");
  }

  static RegistryException schemaNotFound(String what) {
    return new RegistryException(404, SCHEMA_NOT_FOUND, "Schema " + what + " not found");
  }
}
