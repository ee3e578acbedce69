// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.RunnelException;

/**
 * Middleware could not store a failed delivery where it must go before the exception policy
 * acts on it (a dead letter), and gave up because the partition is leaving its consumer
 * (released, lost, or the worker stopping). The consumer then applies no policy: the events
 * stay pending for the partition's next owner, so none is acknowledged unstored.
 */
final class FailureNotRecorded extends RunnelException {
    FailureNotRecorded(String message, Throwable cause) {
        super(message, cause);
    }
}
