package dev.nova.api;

/**
 * An RFC 9457 problem document.
 *
 * @param type a URI naming the kind of problem
 * @param instance a unique id of this occurrence, also written to the log
 */
public record Problem(String type, String title, int status, String detail, String instance) {

    public static final String MEDIA_TYPE = "application/problem+json";
}
