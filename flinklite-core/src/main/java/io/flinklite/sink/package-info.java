/**
 * The sink plug-in contract: how a connector module offers {@code run} an output for window results, with its own
 * settings, without the app naming it. A module implements {@link io.flinklite.sink.SinkFactory} and lists it in
 * {@code META-INF/services/io.flinklite.sink.SinkFactory}; the app finds every factory on its class path, turns each
 * {@link io.flinklite.sink.SinkOption} into a {@code run} flag (and config-file key, and environment variable), and
 * opens the factories whose settings ask for them.
 *
 * <p>Public and stable like {@code io.flinklite.api}; depends on nothing but the API.
 */
package io.flinklite.sink;
