// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

/**
 * How an application hands its {@link App} to the {@code runnel} command line: implement
 * this in a public class with a public no-argument constructor, and name the class on the
 * command line ({@code runnel worker com.example.Shop}).
 *
 * <pre>{@code
 * public final class Shop implements RunnelApp {
 *     public App app() {
 *         App app = App.create("shop");
 *         Stream<Order> orders = app.stream("orders", Order.class, Order::orderId);
 *         app.processor(orders, "printer", events -> { ... });
 *         return app;
 *     }
 * }
 * }</pre>
 *
 * <p>A class may instead declare {@code public static App app()}; the command line accepts
 * either. {@link #app()} is called once per command and should define every stream and
 * processor the app has, the same way in every process.
 */
@FunctionalInterface
public interface RunnelApp {
    /**
     * Builds the app with all its streams, processors and tasks defined.
     *
     * @return the app, which the caller closes
     */
    App app();
}
