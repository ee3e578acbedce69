// SPDX-License-Identifier: Apache-2.0

package io.runnel.docs;

/** The record of the custom serializer's example. */
public record Temperature(String sensor, double celsius) {
}
