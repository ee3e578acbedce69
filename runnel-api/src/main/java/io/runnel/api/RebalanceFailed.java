// SPDX-License-Identifier: Apache-2.0

package io.runnel.api;

/**
 * An executor could not acquire the partitions assigned to it within
 * {@code assignment_attempts} tries: another worker holds them and does not let go. The
 * executor and its worker stop with this error.
 */
public class RebalanceFailed extends RunnelException {
    /**
     * A failed acquisition.
     *
     * @param message which partitions could not be acquired, and after how many tries
     */
    public RebalanceFailed(String message) {
        super(message);
    }
}
