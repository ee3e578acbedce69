// SPDX-License-Identifier: Apache-2.0

package io.runnel.cli;

import io.runnel.engine.App;

/** The same app, exposed the other way the command line accepts: a static factory. */
public final class FactoryApp {
    private FactoryApp() {
    }

    public static App app() {
        return ShopApp.define(App.builder("shop"));
    }
}
