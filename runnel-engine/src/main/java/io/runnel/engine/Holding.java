// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Delivery;

/**
 * A delivery the processor function holds, and since when (a reading of the processor's
 * {@link Ticker}): what the coordinator times against {@code max_processing_time}.
 */
record Holding(Delivery delivery, long since) {
}
