// SPDX-License-Identifier: Apache-2.0

/**
 * <b>Not API</b>: the engine's internals that Runnel's own artifacts reach from other
 * packages (today: {@code runnel-test}'s {@code ProcessorTestDriver}). Public only because
 * Java has no narrower visibility across packages; it may change or disappear in any release,
 * and is left out of the API documentation and the API-compatibility check.
 */
package io.runnel.engine.internal;
