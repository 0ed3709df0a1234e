package io.swarmsched.runtime.http;

/** Answers one request. Throw {@link ApiException} for a 4xx/5xx with a message. */
@FunctionalInterface
public interface Handler {
  Response handle(Request request) throws Exception;
}
