// SPDX-License-Identifier: Apache-2.0

package io.runnel.api;

/**
 * A setting, stream or processor definition is invalid. Thrown at definition or start-up
 * time, never mid-stream; the message names the setting or definition at fault.
 */
public class Misconfigured extends RunnelException {
    public Misconfigured(String message) {
        super(message);
    }

    public Misconfigured(String message, Throwable cause) {
        super(message, cause);
    }
}
