// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

/**
 * Code run by a worker in the background: once per worker start ({@link App#task}), on a
 * fixed interval ({@link App#timer}) or on a cron schedule ({@link App#crontab}). It runs
 * on a virtual thread, may block, and is interrupted when the worker stops.
 */
@FunctionalInterface
public interface Task {
    /**
     * Runs the task once.
     *
     * @throws Exception a failure, which is logged; the worker and the task's schedule go on
     */
    void run() throws Exception;
}
