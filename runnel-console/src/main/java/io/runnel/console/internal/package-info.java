// SPDX-License-Identifier: Apache-2.0

/**
 * <b>Not API</b>: the console's pages, actions and servers. It may change in any release.
 */
package io.runnel.console.internal;
