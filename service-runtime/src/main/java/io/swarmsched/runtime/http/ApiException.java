package io.swarmsched.runtime.http;

/**
 * Thrown by a handler to answer with an error: the client sees {@code {"error_code": <errorCode>,
 * "message": "<message>"}} with HTTP {@code status}.
 */
public class ApiException extends RuntimeException {
  private final int status;
  private final int errorCode;

  public ApiException(int status, String message) {
    this(status, status, message);
  }

  public ApiException(int status, int errorCode, String message) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
  }

  public static ApiException badRequest(String message) {
    return new ApiException(400, message);
  }

  public static ApiException notFound(String message) {
    return new ApiException(404, message);
  }

  public static ApiException unavailable(String message) {
    return new ApiException(503, message);
  }

  public int status() {
    return status;
  }

  public int errorCode() {
    return errorCode;
  }
}
