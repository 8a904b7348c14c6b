package dev.huddle.gateway.admin;

import io.helidon.http.Status;

/**
 * A refused API call: the HTTP status and a JSON body {@code {"error": {"code", "message"}}}.
 * Thrown from handlers and turned into the response in one place ({@link AdminApi}).
 */
final class ApiError extends RuntimeException {
    private final Status status;
    private final String code;

    ApiError(Status status, String code, String message) {
        super(message, null, false, false); // an expected outcome: no stack trace
        this.status = status;
        this.code = code;
    }

    static ApiError badRequest(String message) {
        return new ApiError(Status.BAD_REQUEST_400, "invalid_field", message);
    }

    static ApiError unauthorized() {
        return new ApiError(Status.UNAUTHORIZED_401, "unauthorized", "Sign in first (session cookie or Bearer token)");
    }

    static ApiError forbidden(String code, String message) {
        return new ApiError(Status.FORBIDDEN_403, code, message);
    }

    Status status() {
        return status;
    }

    String code() {
        return code;
    }
}
