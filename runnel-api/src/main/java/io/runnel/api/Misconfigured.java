// SPDX-License-Identifier: Apache-2.0

package io.runnel.api;

/**
 * A setting, stream or processor definition is invalid. Thrown at definition or start-up
 * time, never mid-stream; the message names the setting or definition at fault.
 */
public class Misconfigured extends RunnelException {
    /**
     * A definition error.
     *
     * @param message what is wrong, naming the setting or definition at fault
     */
    public Misconfigured(String message) {
        super(message);
    }

    /**
     * A definition error found through another failure.
     *
     * @param message what is wrong, naming the setting or definition at fault
     * @param cause   the failure that revealed it
     */
    public Misconfigured(String message, Throwable cause) {
        super(message, cause);
    }
}
